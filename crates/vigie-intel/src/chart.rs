//! Link charts as data, and their export to i2 Analyst's Notebook (`.anx`, the ANB import XML).
//!
//! A [`Chart`] is what an analyst has on screen: entities (with a position when the browser sent one)
//! and the typed, dated links between them. [`Chart::to_anx`] writes it as an ANX document so the
//! analyst can go on in Analyst's Notebook: one `EntityType` per schema (labelled in French, with a
//! stock ANB icon name), one `LinkType` per kind of link, each entity's Vigie id as its `Identity`
//! (so re-importing a later chart merges with it rather than duplicating), link dates as the item's
//! date and as attributes, and the département, legal regime and source as attributes.
//!
//! What it does not do: decide what goes on a chart (the engine builds it from what the policy
//! lets the reader see, and journals it), lay it out, or read ANX back.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, Event};
use quick_xml::Writer;
use std::collections::BTreeSet;
use time::Date;
use vigie_core::entity::{EntityId, LegalRegime, LinkId, LinkKind, Schema};

/// One entity on a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartNode {
    pub id: EntityId,
    pub schema: Schema,
    pub caption: String,
    pub departement: Option<String>,
    pub regime: LegalRegime,
    /// Where the analyst left it, in screen units; `None` lets the exporter place it on a grid.
    pub position: Option<(f64, f64)>,
}

/// One link on a chart, from `source` to `target`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartEdge {
    pub id: LinkId,
    pub kind: LinkKind,
    pub source: EntityId,
    pub target: EntityId,
    pub start: Option<Date>,
    pub end: Option<Date>,
    /// The recorded source of the link ("PV 2024/123"), never a human source's name.
    pub source_note: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chart {
    pub nodes: Vec<ChartNode>,
    pub edges: Vec<ChartEdge>,
}

/// The stock Analyst's Notebook icon shown for each schema (ANB falls back to its default icon for
/// a name its icon set lacks).
fn anb_icon(schema: Schema) -> &'static str {
    match schema {
        Schema::Person => "Person",
        Schema::Company => "Company",
        Schema::Organization => "Organisation",
        Schema::Vehicle => "Vehicle",
        Schema::Phone => "Mobile Phone",
        Schema::Address => "House",
        Schema::BankAccount => "Bank Account",
        Schema::CryptoWallet => "Account",
        Schema::Case => "Document",
        Schema::DealingPoint => "Location",
        Schema::Network => "Group",
    }
}

const ATTRIBUTES: [&str; 5] = ["Département", "Régime juridique", "Début", "Fin", "Source"];

/// Grid spacing for entities without a position, in ANB units.
const GRID_STEP: f64 = 150.0;

fn iso(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

impl Chart {
    /// The chart as an ANX document (UTF-8 XML).
    pub fn to_anx(&self) -> String {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        // Writing into a Vec cannot fail; the writer's errors are I/O errors of its sink.
        let _ = self.write_anx(&mut writer);
        String::from_utf8_lossy(&writer.into_inner()).into_owned()
    }

    fn write_anx(&self, w: &mut Writer<Vec<u8>>) -> std::io::Result<()> {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let chart = BytesStart::new("Chart")
            .with_attributes([("IdReferenceLinking", "false"), ("Rigorous", "true")]);
        w.write_event(Event::Start(chart))?;

        w.write_event(Event::Start(BytesStart::new("AttributeClassCollection")))?;
        for name in ATTRIBUTES {
            empty(
                w,
                "AttributeClass",
                &[("Name", name), ("Type", "AttText"), ("ShowValue", "true")],
            )?;
        }
        w.write_event(Event::End(BytesEnd::new("AttributeClassCollection")))?;

        let schemas: BTreeSet<Schema> = self.nodes.iter().map(|node| node.schema).collect();
        w.write_event(Event::Start(BytesStart::new("EntityTypeCollection")))?;
        for schema in &schemas {
            empty(
                w,
                "EntityType",
                &[("Name", schema.label_fr()), ("IconFile", anb_icon(*schema))],
            )?;
        }
        w.write_event(Event::End(BytesEnd::new("EntityTypeCollection")))?;

        let kinds: BTreeSet<LinkKind> = self.edges.iter().map(|edge| edge.kind).collect();
        w.write_event(Event::Start(BytesStart::new("LinkTypeCollection")))?;
        for kind in &kinds {
            empty(w, "LinkType", &[("Name", kind.label_fr()), ("Colour", "0")])?;
        }
        w.write_event(Event::End(BytesEnd::new("LinkTypeCollection")))?;

        w.write_event(Event::Start(BytesStart::new("ChartItemCollection")))?;
        let columns = (self.nodes.len() as f64).sqrt().ceil().max(1.0) as usize;
        for (index, node) in self.nodes.iter().enumerate() {
            let (x, y) = node.position.unwrap_or((
                (index % columns) as f64 * GRID_STEP,
                (index / columns) as f64 * GRID_STEP,
            ));
            let x = format!("{}", x.round() as i64);
            let y = format!("{}", y.round() as i64);
            let id = node.id.to_string();
            let item = BytesStart::new("ChartItem").with_attributes([
                ("Label", node.caption.as_str()),
                ("DateSet", "false"),
                ("XPosition", x.as_str()),
            ]);
            w.write_event(Event::Start(item))?;
            w.write_event(Event::Start(
                BytesStart::new("End").with_attributes([("Y", y.as_str())]),
            ))?;
            w.write_event(Event::Start(BytesStart::new("Entity").with_attributes([
                ("EntityId", id.as_str()),
                ("Identity", id.as_str()),
                ("LabelIsIdentity", "false"),
            ])))?;
            w.write_event(Event::Start(BytesStart::new("Icon")))?;
            empty(w, "IconStyle", &[("Type", node.schema.label_fr())])?;
            w.write_event(Event::End(BytesEnd::new("Icon")))?;
            w.write_event(Event::End(BytesEnd::new("Entity")))?;
            w.write_event(Event::End(BytesEnd::new("End")))?;
            attributes(
                w,
                &[
                    ("Département", node.departement.clone()),
                    ("Régime juridique", Some(node.regime.label_fr().to_owned())),
                ],
            )?;
            w.write_event(Event::End(BytesEnd::new("ChartItem")))?;
        }
        for edge in &self.edges {
            let date = edge.start.map(iso);
            let mut item = BytesStart::new("ChartItem").with_attributes([
                ("Label", edge.kind.label_fr()),
                ("DateSet", if date.is_some() { "true" } else { "false" }),
            ]);
            if let Some(date) = &date {
                item.push_attribute(("DateTime", format!("{date}T00:00:00").as_str()));
            }
            w.write_event(Event::Start(item))?;
            let (source, target) = (edge.source.to_string(), edge.target.to_string());
            w.write_event(Event::Start(BytesStart::new("Link").with_attributes([
                ("End1Id", source.as_str()),
                ("End2Id", target.as_str()),
            ])))?;
            empty(
                w,
                "LinkStyle",
                &[
                    ("Type", edge.kind.label_fr()),
                    ("ArrowStyle", "ArrowOnHead"),
                    ("Strength", "1"),
                    ("LineWidth", "1"),
                ],
            )?;
            w.write_event(Event::End(BytesEnd::new("Link")))?;
            let source_note = Some(edge.source_note.trim().to_owned()).filter(|s| !s.is_empty());
            attributes(
                w,
                &[
                    ("Début", edge.start.map(iso)),
                    ("Fin", edge.end.map(iso)),
                    ("Source", source_note),
                ],
            )?;
            w.write_event(Event::End(BytesEnd::new("ChartItem")))?;
        }
        w.write_event(Event::End(BytesEnd::new("ChartItemCollection")))?;
        w.write_event(Event::End(BytesEnd::new("Chart")))?;
        Ok(())
    }
}

fn empty(w: &mut Writer<Vec<u8>>, name: &str, attributes: &[(&str, &str)]) -> std::io::Result<()> {
    let element = BytesStart::new(name).with_attributes(attributes.iter().copied());
    w.write_event(Event::Empty(element))
}

/// An `AttributeCollection` with the attributes that have a value (none: no collection).
fn attributes(w: &mut Writer<Vec<u8>>, values: &[(&str, Option<String>)]) -> std::io::Result<()> {
    let present: Vec<(&str, &str)> = values
        .iter()
        .filter_map(|(name, value)| value.as_deref().map(|value| (*name, value)))
        .collect();
    if present.is_empty() {
        return Ok(());
    }
    w.write_event(Event::Start(BytesStart::new("AttributeCollection")))?;
    for (class, value) in present {
        empty(
            w,
            "Attribute",
            &[("AttributeClass", class), ("Value", value)],
        )?;
    }
    w.write_event(Event::End(BytesEnd::new("AttributeCollection")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use quick_xml::events::Event;
    use quick_xml::Reader;
    use std::collections::BTreeMap;
    use time::macros::date;
    use uuid::Uuid;

    fn node(n: u128, schema: Schema, caption: &str, position: Option<(f64, f64)>) -> ChartNode {
        ChartNode {
            id: EntityId(Uuid::from_u128(n)),
            schema,
            caption: caption.to_owned(),
            departement: Some("13".to_owned()),
            regime: LegalRegime::Judicial,
            position,
        }
    }

    fn sample() -> Chart {
        Chart {
            nodes: vec![
                node(
                    1,
                    Schema::Person,
                    "Karim « Le Grand » B. & Cie <test>",
                    Some((10.4, -20.6)),
                ),
                node(2, Schema::Vehicle, "AB-123-CD", None),
            ],
            edges: vec![ChartEdge {
                id: LinkId(Uuid::from_u128(3)),
                kind: LinkKind::Owner,
                source: EntityId(Uuid::from_u128(1)),
                target: EntityId(Uuid::from_u128(2)),
                start: Some(date!(2023 - 04 - 01)),
                end: None,
                source_note: "PV 2023/118".to_owned(),
            }],
        }
    }

    /// Every element with its attributes, in document order, read back by an XML parser.
    fn parse(xml: &str) -> Vec<(String, BTreeMap<String, String>)> {
        let mut reader = Reader::from_str(xml);
        let mut elements = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) => {
                    let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                    let attributes = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            (
                                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                                a.unescape_value().unwrap().into_owned(),
                            )
                        })
                        .collect();
                    elements.push((name, attributes));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        elements
    }

    fn attr<'a>(element: &'a (String, BTreeMap<String, String>), name: &str) -> &'a str {
        element.1.get(name).map(String::as_str).unwrap_or_default()
    }

    #[test]
    fn an_anx_document_reads_back_with_its_entities_links_and_attributes() {
        let xml = sample().to_anx();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        let elements = parse(&xml);
        let names: Vec<&str> = elements.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names.first(), Some(&"Chart"));

        let entities: Vec<_> = elements.iter().filter(|(n, _)| n == "Entity").collect();
        assert_eq!(entities.len(), 2);
        let first_id = Uuid::from_u128(1).to_string();
        assert_eq!(attr(entities[0], "EntityId"), first_id);
        assert_eq!(attr(entities[0], "Identity"), first_id);

        // The caption survives escaping exactly.
        let items: Vec<_> = elements.iter().filter(|(n, _)| n == "ChartItem").collect();
        assert_eq!(
            attr(items[0], "Label"),
            "Karim « Le Grand » B. & Cie <test>"
        );
        // The analyst's position is kept, rounded; an unplaced entity goes on the grid.
        assert_eq!(attr(items[0], "XPosition"), "10");
        let ends: Vec<_> = elements.iter().filter(|(n, _)| n == "End").collect();
        assert_eq!(attr(ends[0], "Y"), "-21");
        assert_eq!(attr(items[1], "XPosition"), "150");

        let link = elements.iter().find(|(n, _)| n == "Link").unwrap();
        assert_eq!(attr(link, "End1Id"), first_id);
        assert_eq!(attr(link, "End2Id"), Uuid::from_u128(2).to_string());
        assert_eq!(attr(items[2], "Label"), "Propriétaire / utilisateur");
        assert_eq!(attr(items[2], "DateSet"), "true");
        assert_eq!(attr(items[2], "DateTime"), "2023-04-01T00:00:00");

        let values: Vec<(&str, &str)> = elements
            .iter()
            .filter(|(n, _)| n == "Attribute")
            .map(|e| (attr(e, "AttributeClass"), attr(e, "Value")))
            .collect();
        assert_eq!(
            values,
            vec![
                ("Département", "13"),
                ("Régime juridique", "Judiciaire"),
                ("Département", "13"),
                ("Régime juridique", "Judiciaire"),
                ("Début", "2023-04-01"),
                ("Source", "PV 2023/118"),
            ]
        );
        // Every attribute and icon type used is declared.
        let classes: BTreeSet<&str> = elements
            .iter()
            .filter(|(n, _)| n == "AttributeClass")
            .map(|e| attr(e, "Name"))
            .collect();
        assert!(values.iter().all(|(class, _)| classes.contains(class)));
        let types: BTreeSet<&str> = elements
            .iter()
            .filter(|(n, _)| n == "EntityType")
            .map(|e| attr(e, "Name"))
            .collect();
        assert_eq!(types, BTreeSet::from(["Personne", "Véhicule"]));
        assert!(elements
            .iter()
            .filter(|(n, _)| n == "IconStyle")
            .all(|e| types.contains(attr(e, "Type"))));
    }

    #[test]
    fn an_empty_chart_is_still_a_valid_document() {
        let elements = parse(&Chart::default().to_anx());
        assert_eq!(elements.first().map(|(n, _)| n.as_str()), Some("Chart"));
        assert!(!elements.iter().any(|(n, _)| n == "ChartItem"));
    }
}
