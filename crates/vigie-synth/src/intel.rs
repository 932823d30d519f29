//! Synthetic intelligence items: drafts in French, as police, gendarmerie and customs agents and
//! analysts write them, about the demo world's units, communes and people, for the demo, the tests
//! and the search benchmarks.
//!
//! An item's text is two to five sentences drawn from templates (`phrases`) whose slots are filled
//! at random: people of the world by their full names (whose ids go into the item's entities),
//! places, products and their prices, vehicles with well-formed plates, mobile numbers, days and
//! hours, roles, roads and the origins of the goods of the item's département. Template weights make
//! word frequencies uneven, as in real files. The other fields follow the recording unit: customs
//! services write under the customs regime, human sources have a code (« SH-13-0042 », « AV-59-0007 »
//! for a customs informer), grades and handling codes lean on the kind of source. Every draft passes
//! `vigie_intel::validate_item` against the day of `recorded_at` (a test holds it to that).
//!
//! Deterministic: item `i` depends only on the seed, `i` and the world (each item draws from its own
//! stretch of one ChaCha8 stream), so the same seed gives the same items on every machine and the
//! first items do not depend on how many are asked for. Cheap: a million items take about 2.5 s on
//! one thread in release mode (the ignored test `intel_rate` measures it).
//!
//! This module does not store, index or journal anything, does not check that the world's ids exist,
//! and does not model the content of real files: the texts are plausible, never true.

mod phrases;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};
use vigie_core::entity::{EntityId, FieldError, LegalRegime, Schema};
use vigie_core::org::{AccountId, Role, UnitId, UnitKind};
use vigie_intel::{validate_item, IntelItem, IntelItemDraft, ItemId};

use crate::dice::Dice;
use crate::idents::plate;
use crate::lists::{BUILDINGS, ESTATE_NAMES, ESTATE_NAMES_971, STREET_NAMES, STREET_TYPES};
use crate::SynthData;
use phrases::{Flavour, PlaceKind, Product, Template, Who};

/// The stream items are drawn from.
const ITEM_STREAM: u64 = 11_000;
/// The stream item ids are drawn from.
const ID_STREAM: u64 = 11_001;
/// Item `i` draws from word `i << ITEM_SHIFT` of the stream: 2^20 words each, where an item needs a
/// few hundred.
const ITEM_SHIFT: u32 = 20;
/// `recorded_by` of the items of a unit that has no recorder.
pub const SYNTHETIC_RECORDER: &str = "vigie-synth";

/// The communes of the demo départements (13, 75, 93, 59, 69, 971) as (INSEE code, name): the
/// municipal arrondissements for Marseille, Paris and Lyon, then the other communes of the crate's
/// lists, the busiest first within each département.
pub static DEMO_COMMUNES: &[(&str, &str)] = &[
    ("13203", "Marseille 3e"),
    ("13213", "Marseille 13e"),
    ("13214", "Marseille 14e"),
    ("13215", "Marseille 15e"),
    ("13216", "Marseille 16e"),
    ("13201", "Marseille 1er"),
    ("13202", "Marseille 2e"),
    ("13204", "Marseille 4e"),
    ("13205", "Marseille 5e"),
    ("13210", "Marseille 10e"),
    ("13211", "Marseille 11e"),
    ("13005", "Aubagne"),
    ("13001", "Aix-en-Provence"),
    ("13054", "Marignane"),
    ("13117", "Vitrolles"),
    ("13056", "Martigues"),
    ("13103", "Salon-de-Provence"),
    ("13063", "Miramas"),
    ("13047", "Istres"),
    ("13004", "Arles"),
    ("13028", "La Ciotat"),
    ("13077", "Port-de-Bouc"),
    ("13106", "Septèmes-les-Vallons"),
    ("13041", "Gardanne"),
    ("75118", "Paris 18e"),
    ("75119", "Paris 19e"),
    ("75120", "Paris 20e"),
    ("75110", "Paris 10e"),
    ("75111", "Paris 11e"),
    ("75113", "Paris 13e"),
    ("75112", "Paris 12e"),
    ("75114", "Paris 14e"),
    ("75117", "Paris 17e"),
    ("75115", "Paris 15e"),
    ("93066", "Saint-Denis"),
    ("93070", "Saint-Ouen-sur-Seine"),
    ("93001", "Aubervilliers"),
    ("93071", "Sevran"),
    ("93005", "Aulnay-sous-Bois"),
    ("93008", "Bobigny"),
    ("93048", "Montreuil"),
    ("93027", "La Courneuve"),
    ("93055", "Pantin"),
    ("93014", "Clichy-sous-Bois"),
    ("93010", "Bondy"),
    ("93072", "Stains"),
    ("93031", "Épinay-sur-Seine"),
    ("93029", "Drancy"),
    ("93073", "Tremblay-en-France"),
    ("93078", "Villepinte"),
    ("93006", "Bagnolet"),
    ("59350", "Lille"),
    ("59512", "Roubaix"),
    ("59599", "Tourcoing"),
    ("59606", "Valenciennes"),
    ("59183", "Dunkerque"),
    ("59009", "Villeneuve-d'Ascq"),
    ("59650", "Wattrelos"),
    ("59392", "Maubeuge"),
    ("59172", "Denain"),
    ("59178", "Douai"),
    ("59410", "Mons-en-Barœul"),
    ("59299", "Hem"),
    ("59360", "Loos"),
    ("69388", "Lyon 8e"),
    ("69389", "Lyon 9e"),
    ("69381", "Lyon 1er"),
    ("69383", "Lyon 3e"),
    ("69385", "Lyon 5e"),
    ("69387", "Lyon 7e"),
    ("69259", "Vénissieux"),
    ("69266", "Villeurbanne"),
    ("69256", "Vaulx-en-Velin"),
    ("69286", "Rillieux-la-Pape"),
    ("69029", "Bron"),
    ("69290", "Saint-Priest"),
    ("69091", "Givors"),
    ("69199", "Saint-Fons"),
    ("69275", "Décines-Charpieu"),
    ("69264", "Villefranche-sur-Saône"),
    ("97101", "Les Abymes"),
    ("97120", "Pointe-à-Pitre"),
    ("97103", "Baie-Mahault"),
    ("97113", "Le Gosier"),
    ("97117", "Le Moule"),
    ("97105", "Basse-Terre"),
    ("97128", "Sainte-Anne"),
    ("97107", "Capesterre-Belle-Eau"),
    ("97129", "Sainte-Rose"),
    ("97118", "Petit-Bourg"),
    ("97116", "Morne-à-l'Eau"),
    ("97115", "Lamentin"),
    ("97125", "Saint-François"),
];

/// The demo départements' communes as (INSEE code, name): [`DEMO_COMMUNES`].
pub fn demo_communes() -> &'static [(&'static str, &'static str)] {
    DEMO_COMMUNES
}

/// The département of a commune's INSEE code: its first three characters overseas ("971"), its
/// first two otherwise ("13", "2A"). `None` if the code is not five letters or digits.
pub fn departement_of(insee: &str) -> Option<&str> {
    let code = insee.trim();
    if code.len() != 5 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    if code.starts_with("97") || code.starts_with("98") {
        code.get(..3)
    } else {
        code.get(..2)
    }
}

/// A unit that records items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntelUnit {
    pub id: UnitId,
    /// Decides the legal regime (customs for customs services) and some of the wording.
    pub kind: UnitKind,
    /// The département it works in, if only one: its items are about its communes and people.
    pub departement: Option<String>,
    /// Who may appear as `recorded_by` (the engine's journal references, "account:<uuid>"); empty:
    /// [`SYNTHETIC_RECORDER`].
    pub recorders: Vec<String>,
}

/// A person entity items may mention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntelPerson {
    pub id: EntityId,
    /// The full name as written in texts: « Mohamed BEN SALAH ».
    pub name: String,
    /// A nickname, sometimes added after the name: « (dit « Gamin ») ».
    pub alias: Option<String>,
    /// The département of the record: items of that département mention them first.
    pub departement: Option<String>,
}

/// What items may refer to: the units that record them, communes, and people.
#[derive(Clone, Copy, Debug)]
pub struct IntelWorld<'a> {
    pub units: &'a [IntelUnit],
    /// (INSEE code, name), e.g. [`DEMO_COMMUNES`].
    pub communes: &'a [(&'a str, &'a str)],
    pub people: &'a [IntelPerson],
}

/// The units and people of a generated data set, ready to make an [`IntelWorld`] with
/// [`DEMO_COMMUNES`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoIntelWorld {
    pub units: Vec<IntelUnit>,
    pub people: Vec<IntelPerson>,
}

impl DemoIntelWorld {
    /// The police, gendarmerie, customs, CROSS and OFAST units of `data` with their agents, heads
    /// and analysts as recorders, and every person entity.
    pub fn from_data(data: &SynthData) -> Self {
        let units = data
            .units
            .iter()
            .filter(|unit| unit_weight(unit.kind) > 0)
            .map(|unit| {
                let codes = unit.territory.codes();
                let recorders = data
                    .accounts
                    .iter()
                    .map(|demo| &demo.account)
                    .filter(|account| account.unit == unit.id && !account.disabled)
                    .filter(|account| {
                        matches!(
                            account.role,
                            Role::Agent
                                | Role::HeadOfUnit
                                | Role::CrossAnalyst
                                | Role::OfastAnalyst
                        )
                    })
                    .map(|account| format!("{}:{}", AccountId::PREFIX, account.id))
                    .collect();
                IntelUnit {
                    id: unit.id,
                    kind: unit.kind,
                    departement: match codes {
                        [only] => Some(only.clone()),
                        _ => None,
                    },
                    recorders,
                }
            })
            .collect();
        let people = data
            .entities
            .iter()
            .filter(|entity| entity.schema == Schema::Person)
            .map(|entity| {
                let first = |name: &str| {
                    entity
                        .properties
                        .get(name)
                        .and_then(|values| values.first())
                        .cloned()
                };
                IntelPerson {
                    id: entity.id,
                    name: entity.caption(),
                    alias: first("alias"),
                    departement: entity.departement.clone(),
                }
            })
            .collect();
        Self { units, people }
    }

    /// The world of these units and people, in the communes of [`DEMO_COMMUNES`].
    pub fn world(&self) -> IntelWorld<'_> {
        IntelWorld {
            units: &self.units,
            communes: DEMO_COMMUNES,
            people: &self.people,
        }
    }
}

/// A generated item: its draft and who recorded it, when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthItem {
    pub owner_unit: UnitId,
    pub recorded_by: String,
    /// After the observation, never after `recorded_at`.
    pub recorded_at_micros: i64,
    pub draft: IntelItemDraft,
}

/// `count` items about `world`, recorded at or before `recorded_at`, observed in the two years
/// before it. Deterministic for (seed, world); item `i` does not depend on `count`.
pub fn intel_items<'a>(
    seed: u64,
    count: usize,
    world: &'a IntelWorld<'a>,
    recorded_at: OffsetDateTime,
) -> IntelItems<'a> {
    IntelItems::new(seed, count, world, recorded_at)
}

/// The id of item `index` for `seed`: the same on every run, different for every index.
pub fn item_id(seed: u64, index: u64) -> ItemId {
    let mut dice = Dice::new(seed, ID_STREAM);
    dice.seek(u128::from(index) * 4);
    ItemId(dice.uuid())
}

/// Validates `item`'s draft against `today` and builds the stored item, with `departement` (see
/// [`departement_of`]) and no permission.
pub fn to_item(
    item: &SynthItem,
    id: ItemId,
    departement: Option<String>,
    today: Date,
) -> Result<IntelItem, Vec<FieldError>> {
    let valid = validate_item(&item.draft, today)?;
    Ok(IntelItem {
        id,
        owner_unit: item.owner_unit,
        recorded_by: item.recorded_by.clone(),
        recorded_at_micros: item.recorded_at_micros,
        text: valid.text,
        observed_on: valid.observed_on,
        observed_until: valid.observed_until,
        place: valid.place,
        commune: valid.commune,
        departement,
        entities: valid.entities,
        source: valid.source,
        grade: valid.grade,
        handling: valid.handling,
        regime: valid.regime,
        sanitised_from: None,
        permissions: Vec::new(),
    })
}

/// How many items a unit of this kind records, relatively (0: none).
fn unit_weight(kind: UnitKind) -> u32 {
    match kind {
        UnitKind::Police => 6,
        UnitKind::Gendarmerie => 4,
        UnitKind::Customs | UnitKind::Cross => 3,
        UnitKind::Ofast | UnitKind::OfastAntenna => 1,
        UnitKind::Parquet
        | UnitKind::Jirs
        | UnitKind::Inspection
        | UnitKind::Administration
        | UnitKind::Partner => 0,
    }
}

/// A weighted list, drawn by binary search on the running totals.
struct Table<T> {
    items: Vec<T>,
    ends: Vec<u64>,
}

impl<T> Table<T> {
    fn new(weighted: impl IntoIterator<Item = (T, u32)>) -> Self {
        let mut items = Vec::new();
        let mut ends = Vec::new();
        let mut total = 0u64;
        for (item, weight) in weighted {
            if weight > 0 {
                total += u64::from(weight);
                items.push(item);
                ends.push(total);
            }
        }
        Self { items, ends }
    }

    fn pick(&self, dice: &mut Dice) -> Option<&T> {
        let total = self.ends.last().copied().unwrap_or(0);
        let draw = u64::try_from(dice.below(usize::try_from(total).unwrap_or(0))).unwrap_or(0);
        self.items
            .get(self.ends.partition_point(|&end| end <= draw))
    }
}

/// The kinds of source, as the draft writes them, in the order of [`Sentences::open`].
const SOURCES: [(&str, u32); 6] = [
    ("human_source", 30),
    ("technical", 20),
    ("open_source", 9),
    ("document", 9),
    ("procedure", 20),
    ("partner", 12),
];

/// The templates one kind of unit may write.
struct Sentences {
    open: [Table<&'static Template>; 6],
    body: Table<&'static Template>,
    /// The body templates that mention someone.
    body_people: Table<&'static Template>,
    closings: Table<&'static Template>,
    also: Table<&'static Template>,
}

impl Sentences {
    fn new(customs: bool) -> Self {
        let allowed = move |template: &&Template| match template.who {
            Who::Any => true,
            Who::Customs => customs,
            Who::NotCustoms => !customs,
        };
        let table = |list: &'static [Template]| {
            Table::new(
                list.iter()
                    .filter(allowed)
                    .map(|template| (template, template.weight)),
            )
        };
        let mentions = |template: &&Template| {
            ["{p}", "{de_p}", "{que_p}"]
                .iter()
                .any(|slot| template.text.contains(slot))
        };
        Self {
            open: [
                table(phrases::OPEN_HUMAN),
                table(phrases::OPEN_TECHNICAL),
                table(phrases::OPEN_OPEN_SOURCE),
                table(phrases::OPEN_DOCUMENT),
                table(phrases::OPEN_PROCEDURE),
                table(phrases::OPEN_PARTNER),
            ],
            body: table(phrases::BODY),
            body_people: Table::new(
                phrases::BODY
                    .iter()
                    .filter(allowed)
                    .filter(mentions)
                    .map(|template| (template, template.weight)),
            ),
            closings: table(phrases::CLOSINGS),
            also: table(phrases::ALSO),
        }
    }
}

/// The items of [`intel_items`].
pub struct IntelItems<'a> {
    world: &'a IntelWorld<'a>,
    seed: u64,
    next: usize,
    count: usize,
    dice: Dice,
    recorded_at: OffsetDateTime,
    today: Date,
    units: Table<usize>,
    /// For each unit, the communes of its département (empty: any commune).
    unit_communes: Vec<Vec<usize>>,
    /// People by département.
    people_by_dept: BTreeMap<&'a str, Vec<usize>>,
    all_people: Vec<usize>,
    all_communes: Vec<usize>,
    /// Templates for other units, then for customs.
    sentences: [Sentences; 2],
    sources: Table<usize>,
    products: Table<&'static Product>,
    places: Table<&'static PlaceKind>,
    vehicles: Table<usize>,
}

impl<'a> IntelItems<'a> {
    fn new(
        seed: u64,
        count: usize,
        world: &'a IntelWorld<'a>,
        recorded_at: OffsetDateTime,
    ) -> Self {
        let weights: Vec<u32> = world
            .units
            .iter()
            .map(|unit| unit_weight(unit.kind))
            .collect();
        let any = weights.iter().all(|&weight| weight == 0);
        let units = Table::new(
            weights
                .iter()
                .enumerate()
                .map(|(index, &weight)| (index, if any { 1 } else { weight })),
        );
        let unit_communes = world
            .units
            .iter()
            .map(|unit| {
                world
                    .communes
                    .iter()
                    .enumerate()
                    .filter(|(_, (code, _))| {
                        unit.departement.is_some()
                            && departement_of(code) == unit.departement.as_deref()
                    })
                    .map(|(index, _)| index)
                    .collect()
            })
            .collect();
        let mut people_by_dept: BTreeMap<&'a str, Vec<usize>> = BTreeMap::new();
        for (index, person) in world.people.iter().enumerate() {
            if let Some(dept) = person.departement.as_deref() {
                people_by_dept.entry(dept).or_default().push(index);
            }
        }
        Self {
            world,
            seed,
            next: 0,
            count,
            dice: Dice::new(seed, ITEM_STREAM),
            recorded_at,
            today: recorded_at.date(),
            units,
            unit_communes,
            people_by_dept,
            all_people: (0..world.people.len()).collect(),
            all_communes: (0..world.communes.len()).collect(),
            sentences: [Sentences::new(false), Sentences::new(true)],
            sources: Table::new(
                SOURCES
                    .iter()
                    .enumerate()
                    .map(|(index, (_, weight))| (index, *weight)),
            ),
            products: Table::new(
                phrases::PRODUCTS
                    .iter()
                    .map(|product| (product, product.weight)),
            ),
            places: Table::new(phrases::PLACES.iter().map(|place| (place, place.weight))),
            vehicles: Table::new(
                phrases::VEHICLES
                    .iter()
                    .enumerate()
                    .map(|(index, vehicle)| (index, vehicle.3)),
            ),
        }
    }

    /// The seed the items are drawn from (for [`item_id`]).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn item(&mut self, index: usize) -> SynthItem {
        let world = self.world;
        let dice = &mut self.dice;
        let index = u128::try_from(index).unwrap_or(0);
        dice.seek(index << ITEM_SHIFT);

        // Who records it, and where it happens.
        let unit = self
            .units
            .pick(dice)
            .and_then(|&i| world.units.get(i).map(|unit| (i, unit)));
        let (owner_unit, kind, unit_dept, recorded_by) = match unit {
            Some((_, unit)) => (
                unit.id,
                unit.kind,
                unit.departement.as_deref(),
                dice.pick_ref(&unit.recorders)
                    .cloned()
                    .unwrap_or_else(|| SYNTHETIC_RECORDER.to_owned()),
            ),
            None => (
                UnitId(uuid::Uuid::nil()),
                UnitKind::Police,
                None,
                SYNTHETIC_RECORDER.to_owned(),
            ),
        };
        let customs = kind == UnitKind::Customs;
        let candidates: &[usize] = match unit.and_then(|(i, _)| self.unit_communes.get(i)) {
            Some(local) if !local.is_empty() => local,
            _ => &self.all_communes,
        };
        let commune = candidates
            .get(skewed(dice, candidates.len()))
            .and_then(|&i| world.communes.get(i))
            .copied();
        let dept = commune
            .and_then(|(code, _)| departement_of(code))
            .or(unit_dept);

        // Whom it is about.
        let local_people: &[usize] = match dept.and_then(|dept| self.people_by_dept.get(dept)) {
            Some(local) if !local.is_empty() && dice.chance(850) => local,
            _ => &self.all_people,
        };
        let wanted = *dice
            .weighted(&[(0usize, 25), (1, 35), (2, 27), (3, 13)])
            .unwrap_or(&0);
        let mut pending = Vec::with_capacity(3);
        for _ in 0..wanted {
            for _ in 0..4 {
                if let Some(&person) = local_people.get(skewed(dice, local_people.len())) {
                    if !pending.contains(&person) {
                        pending.push(person);
                        break;
                    }
                }
            }
        }

        // Source, regime, grade, handling.
        let source = self.sources.pick(dice).copied().unwrap_or(1);
        let source_name = SOURCES.get(source).map_or("technical", |(name, _)| name);
        let mut regime = regime_of(dice, kind);
        if source_name == "procedure" && regime == LegalRegime::Administrative {
            regime = LegalRegime::Judicial;
        }
        let source_code = (source_name == "human_source").then(|| {
            let prefix = if customs { "AV" } else { "SH" };
            format!(
                "{prefix}-{}-{:04}",
                dept.unwrap_or("NAT"),
                dice.range(1, 150)
            )
        });
        let (grade_scheme, grade, uk_handling) = grade_of(dice, source_name);
        let human = source_name == "human_source";
        let h1 = regime != LegalRegime::Judicial && dice.chance(if human { 250 } else { 60 });
        let h2 = uk_handling != Some('P')
            && dice.chance(match source_name {
                "human_source" => 250,
                "technical" => 150,
                _ => 50,
            });
        let h3 = uk_handling == Some('C') || dice.chance(if human { 150 } else { 40 });
        let mut handling = Vec::new();
        if h1 {
            handling.push("H1".to_owned());
        }
        if h2 {
            handling.push("H2".to_owned());
        }
        let restrictions = if h3 {
            handling.push("H3".to_owned());
            Some(dice.pick(phrases::RESTRICTIONS).to_owned())
        } else {
            None
        };
        if handling.is_empty() && dice.chance(300) {
            handling.push("H0".to_owned());
        }

        // When.
        let observed_on = dice.days_before(self.today, 0, 729);
        let observed_until = if dice.chance(180) {
            let end = add_days(observed_on, dice.range(1, 90)).min(self.today);
            (end > observed_on).then_some(end)
        } else {
            None
        };
        let recorded_day = add_days(observed_until.unwrap_or(observed_on), dice.range(0, 10));
        let midnight = PrimitiveDateTime::new(recorded_day, Time::MIDNIGHT)
            .assume_offset(self.recorded_at.offset());
        let recorded = midnight
            .checked_add(Duration::seconds(i64::from(
                dice.range(7 * 3600, 20 * 3600),
            )))
            .unwrap_or(midnight)
            .min(self.recorded_at);
        let recorded_at_micros = i64::try_from(recorded.unix_timestamp_nanos() / 1000).unwrap_or(0);

        // What.
        let estate_names = if dept == Some("971") {
            ESTATE_NAMES_971
        } else {
            ESTATE_NAMES
        };
        let estate = Estate::draw(dice, estate_names);
        let bat = dice.pick(BUILDINGS);
        let product = self
            .products
            .pick(dice)
            .copied()
            .unwrap_or(&phrases::PRODUCTS[0]);
        let place_kind = self
            .places
            .pick(dice)
            .copied()
            .unwrap_or(&phrases::PLACES[0]);
        let commune_name = commune.map_or_else(
            || DEMO_COMMUNES.first().map_or("Marseille", |(_, name)| name),
            |(_, name)| name,
        );
        let mut writer = Writer {
            dice,
            world,
            flavour: phrases::flavour(dept),
            product,
            estate,
            estate2: None,
            estate_names,
            bat,
            place_kind,
            place: String::new(),
            commune_name,
            communes: candidates,
            vehicles: &self.vehicles,
            observed_on,
            pending,
            mentioned: Vec::with_capacity(3),
            last: None,
        };
        let mut place = String::with_capacity(64);
        writer.fill(&mut place, place_kind.noun);
        writer.place = place;

        let sentences = &self.sentences[usize::from(customs)];
        let mut text = String::with_capacity(640);
        let mut used: Vec<&'static Template> = Vec::with_capacity(6);
        if let Some(opening) = sentences
            .open
            .get(source)
            .and_then(|table| table.pick(writer.dice))
        {
            writer.sentence(&mut text, opening.text);
            used.push(*opening);
        }
        let body = *writer
            .dice
            .weighted(&[(1usize, 35), (2, 45), (3, 20)])
            .unwrap_or(&2);
        for _ in 0..body {
            let table = if !writer.pending.is_empty() && writer.dice.chance(700) {
                &sentences.body_people
            } else {
                &sentences.body
            };
            for _ in 0..4 {
                if let Some(&template) = table.pick(writer.dice) {
                    if !used.iter().any(|done| std::ptr::eq(*done, template)) {
                        writer.sentence(&mut text, template.text);
                        used.push(template);
                        break;
                    }
                }
            }
        }
        let mut count = used.len();
        if writer.pending.len() > 1 && count < 5 {
            writer.also_cited(&mut text);
            count += 1;
        } else if !writer.pending.is_empty() && count < 5 {
            if let Some(&template) = sentences.also.pick(writer.dice) {
                writer.sentence(&mut text, template.text);
                count += 1;
            }
        }
        if count < 5 && writer.dice.chance(400) {
            if let Some(&closing) = sentences.closings.pick(writer.dice) {
                writer.sentence(&mut text, closing.text);
            }
        }

        let entities = writer
            .mentioned
            .iter()
            .filter_map(|&i| world.people.get(i).map(|person| person.id))
            .collect();
        let place = writer.dice.chance(750).then(|| writer.place.clone());
        let commune = commune
            .filter(|_| writer.dice.chance(900))
            .map(|(code, _)| code.to_owned());

        SynthItem {
            owner_unit,
            recorded_by,
            recorded_at_micros,
            draft: IntelItemDraft {
                text,
                observed_on: iso_day(observed_on),
                observed_until: observed_until.map(iso_day),
                place,
                commune,
                entities,
                source: source_name.to_owned(),
                source_code,
                grade_scheme: grade_scheme.to_owned(),
                grade,
                handling,
                restrictions,
                regime: regime.as_str().to_owned(),
            },
        }
    }
}

impl Iterator for IntelItems<'_> {
    type Item = SynthItem;

    fn next(&mut self) -> Option<SynthItem> {
        if self.next >= self.count {
            return None;
        }
        let index = self.next;
        self.next += 1;
        Some(self.item(index))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.count.saturating_sub(self.next);
        (left, Some(left))
    }
}

impl ExactSizeIterator for IntelItems<'_> {}

/// Draws an index in `0..n` skewed towards 0: the first entries are the busiest.
fn skewed(dice: &mut Dice, n: usize) -> usize {
    let u = dice.below(1_000_000) as f64 / 1_000_000.0;
    ((u * u.sqrt()) * n as f64) as usize
}

fn add_days(day: Date, days: u32) -> Date {
    day.checked_add(Duration::days(i64::from(days)))
        .unwrap_or(day)
}

fn iso_day(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// The regime a unit of `kind` records under.
fn regime_of(dice: &mut Dice, kind: UnitKind) -> LegalRegime {
    let judicial = match kind {
        UnitKind::Customs => {
            return if dice.chance(850) {
                LegalRegime::Customs
            } else {
                LegalRegime::Judicial
            }
        }
        UnitKind::Police | UnitKind::Gendarmerie => 700,
        UnitKind::Cross => 450,
        UnitKind::Ofast | UnitKind::OfastAntenna => 750,
        _ => 600,
    };
    if dice.chance(judicial) {
        LegalRegime::Judicial
    } else {
        LegalRegime::Administrative
    }
}

/// A level of a grade and its draw weight.
type Weighted = (char, u32);

/// A grade for a source of this kind: (scheme, code, 3x5x2 handling letter).
fn grade_of(dice: &mut Dice, source: &str) -> (&'static str, String, Option<char>) {
    if dice.chance(150) {
        let reliability = *dice
            .weighted(&[('1', 40), ('2', 45), ('3', 15)])
            .unwrap_or(&'2');
        let intelligence = *dice
            .weighted(&[('A', 30), ('B', 30), ('C', 25), ('D', 12), ('E', 3)])
            .unwrap_or(&'C');
        let handling = if dice.chance(800) { 'P' } else { 'C' };
        let code = [reliability, intelligence, handling].iter().collect();
        return ("uk_3x5x2", code, Some(handling));
    }
    let (letters, digits): (&[Weighted], &[Weighted]) = match source {
        "human_source" => (
            &[('A', 5), ('B', 45), ('C', 20), ('X', 30)],
            &[('1', 2), ('2', 45), ('3', 30), ('4', 23)],
        ),
        "technical" => (
            &[('A', 50), ('B', 35), ('C', 5), ('X', 10)],
            &[('1', 45), ('2', 25), ('3', 25), ('4', 5)],
        ),
        "open_source" => (
            &[('A', 2), ('B', 15), ('C', 25), ('X', 58)],
            &[('1', 3), ('2', 10), ('3', 37), ('4', 50)],
        ),
        "document" => (
            &[('A', 35), ('B', 40), ('C', 10), ('X', 15)],
            &[('1', 30), ('2', 30), ('3', 30), ('4', 10)],
        ),
        "procedure" => (
            &[('A', 60), ('B', 30), ('C', 5), ('X', 5)],
            &[('1', 55), ('2', 30), ('3', 10), ('4', 5)],
        ),
        _ => (
            &[('A', 10), ('B', 45), ('C', 15), ('X', 30)],
            &[('1', 10), ('2', 45), ('3', 30), ('4', 15)],
        ),
    };
    let letter = *dice.weighted(letters).unwrap_or(&'B');
    let digit = *dice.weighted(digits).unwrap_or(&'2');
    ("europol_4x4", [letter, digit].iter().collect(), None)
}

/// A housing estate: « cité des Lauriers ».
#[derive(Clone, Copy)]
struct Estate {
    /// (kind, article, « de » form).
    kind: (&'static str, &'static str, &'static str),
    name: &'static str,
}

impl Estate {
    fn draw(dice: &mut Dice, names: &[&'static str]) -> Self {
        Self {
            kind: dice
                .pick_ref(phrases::ESTATE_KINDS)
                .copied()
                .unwrap_or(("cité", "la ", "de la ")),
            name: dice.pick(names),
        }
    }

    /// « de la cité des Lauriers ».
    fn write_of(self, out: &mut String) {
        out.push_str(self.kind.2);
        out.push_str(self.kind.0);
        out.push_str(" des ");
        out.push_str(self.name);
    }
}

/// Whether a word takes « d' » rather than « de ».
fn elides(word: &str) -> bool {
    word.chars().next().is_some_and(|c| {
        matches!(
            c.to_lowercase().next().unwrap_or(c),
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'é' | 'è' | 'ê' | 'â' | 'î' | 'ï' | 'ô' | 'œ'
        )
    })
}

/// « de Lyon », « d'Aubagne », « du Moule », « des Abymes ».
fn write_of_commune(out: &mut String, name: &str) {
    if let Some(rest) = name.strip_prefix("Le ") {
        out.push_str("du ");
        out.push_str(rest);
    } else if let Some(rest) = name.strip_prefix("Les ") {
        out.push_str("des ");
        out.push_str(rest);
    } else {
        out.push_str(if elides(name) { "d'" } else { "de " });
        out.push_str(name);
    }
}

/// « à Lyon », « au Moule », « aux Abymes ».
fn write_at_commune(out: &mut String, name: &str) {
    if let Some(rest) = name.strip_prefix("Le ") {
        out.push_str("au ");
        out.push_str(rest);
    } else if let Some(rest) = name.strip_prefix("Les ") {
        out.push_str("aux ");
        out.push_str(rest);
    } else {
        out.push_str("à ");
        out.push_str(name);
    }
}

/// « 32 000 ».
fn write_thousands(out: &mut String, n: u32) {
    let digits = n.to_string();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
}

/// How a person is brought into a sentence: « X », « de X » / « d'X », « que X » / « qu'X ».
#[derive(Clone, Copy)]
enum Mention {
    Plain,
    Of,
    That,
}

/// Fills the templates of one item, keeping what must stay the same from one sentence to the next
/// (the product, the estate, the place, the commune, the people).
struct Writer<'d, 'w> {
    dice: &'d mut Dice,
    world: &'w IntelWorld<'w>,
    flavour: &'static Flavour,
    product: &'static Product,
    estate: Estate,
    /// A second estate, for rivalries, drawn on first use.
    estate2: Option<Estate>,
    estate_names: &'static [&'static str],
    bat: &'static str,
    place_kind: &'static PlaceKind,
    /// The place's noun: « hall du bâtiment C de la cité des Lauriers ».
    place: String,
    commune_name: &'w str,
    /// Communes for « another commune ».
    communes: &'d [usize],
    vehicles: &'d Table<usize>,
    observed_on: Date,
    /// People drawn for the item and not yet named.
    pending: Vec<usize>,
    /// People named, in order.
    mentioned: Vec<usize>,
    /// The person named last (not named again by the next slot).
    last: Option<usize>,
}

impl<'w> Writer<'_, 'w> {
    /// Appends a sentence, capitalised.
    fn sentence(&mut self, out: &mut String, template: &str) {
        if !out.is_empty() {
            out.push(' ');
        }
        let start = out.len();
        self.fill(out, template);
        if let Some(first) = out.get(start..).and_then(|rest| rest.chars().next()) {
            if first.is_lowercase() {
                let upper: String = first.to_uppercase().collect();
                out.replace_range(start..start + first.len_utf8(), &upper);
            }
        }
    }

    /// Appends `template` with its slots filled.
    fn fill(&mut self, out: &mut String, template: &str) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let (before, slot) = rest.split_at(open);
            out.push_str(before);
            match slot.find('}') {
                Some(close) => {
                    self.slot(out, slot.get(1..close).unwrap_or(""));
                    rest = slot.get(close + 1..).unwrap_or("");
                }
                None => {
                    out.push_str(slot);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
    }

    fn pick_weighted(&mut self, items: &[(&'static str, u32)]) -> &'static str {
        self.dice.weighted(items).copied().unwrap_or("")
    }

    fn slot(&mut self, out: &mut String, name: &str) {
        match name {
            "p" => self.person(out, Mention::Plain),
            "de_p" => self.person(out, Mention::Of),
            "que_p" => self.person(out, Mention::That),
            "a_lieu" => {
                out.push_str(self.place_kind.at);
                out.push_str(&self.place);
            }
            "le_lieu" => {
                out.push_str(self.place_kind.the);
                out.push_str(&self.place);
            }
            "de_cite" => self.estate.write_of(out),
            "de_cite2" => {
                let second = match self.estate2 {
                    Some(estate) => estate,
                    None => {
                        let mut estate = Estate::draw(self.dice, self.estate_names);
                        if estate.name == self.estate.name {
                            estate = Estate::draw(self.dice, self.estate_names);
                        }
                        self.estate2 = Some(estate);
                        estate
                    }
                };
                second.write_of(out);
            }
            "bat" => out.push_str(self.bat),
            "esc" => {
                let _ = write!(out, "{}", self.dice.range(1, 12));
            }
            "n" => {
                let _ = write!(out, "{}", self.dice.range(1, 120));
            }
            "rue" => {
                out.push_str(self.dice.pick(STREET_TYPES));
                out.push(' ');
                out.push_str(self.dice.pick(STREET_NAMES));
            }
            "ecole" => out.push_str(self.dice.pick(phrases::SCHOOLS)),
            "produit" => out.push_str(self.product.name),
            "du_produit" => out.push_str(self.product.du),
            "de_produit" => out.push_str(self.product.de),
            "prix" => out.push_str(self.dice.pick(self.product.prices)),
            "gros" => {
                let (unit, low, high, step) = self.product.wholesale;
                let step = step.max(1);
                let price = self.dice.range(low / step, high / step) * step;
                write_thousands(out, price);
                out.push_str(" € ");
                out.push_str(unit);
            }
            "quantite" => {
                let (unit, low, high) = self
                    .dice
                    .pick_ref(self.product.quantities)
                    .copied()
                    .unwrap_or(("g", 10, 500));
                write_thousands(out, self.dice.range(low, high));
                out.push(' ');
                out.push_str(unit);
                out.push(' ');
                out.push_str(self.product.de);
            }
            "vehicule" => self.vehicle(out),
            "tel" => self.phone(out),
            "horaires" => out.push_str(self.pick_weighted(phrases::OPENING_HOURS)),
            "jours" => out.push_str(self.pick_weighted(phrases::OPENING_DAYS)),
            "heure" => out.push_str(self.pick_weighted(phrases::MOMENTS)),
            "jour" => out.push_str(self.pick_weighted(phrases::DAYS)),
            "role" => out.push_str(self.pick_weighted(phrases::ROLES)),
            "reseau" => out.push_str(self.pick_weighted(phrases::NETWORKS)),
            "commerce" => out.push_str(self.pick_weighted(phrases::BUSINESSES)),
            "crypto" => out.push_str(self.dice.pick(phrases::CRYPTO)),
            "crypto_nom" => out.push_str(self.dice.pick(phrases::CRYPTO_NAMES)),
            "crypto_phone" => out.push_str(self.dice.pick(phrases::CRYPTO_PHONES)),
            "transfert" => out.push_str(self.dice.pick(phrases::TRANSFERS)),
            "achat" => out.push_str(self.dice.pick(phrases::PURCHASES)),
            "d_arme" => out.push_str(self.dice.pick(phrases::WEAPONS)),
            "paie" => out.push_str(self.dice.pick(phrases::PAY)),
            "promo" => out.push_str(self.dice.pick(phrases::PROMOS)),
            "cri" => out.push_str(self.dice.pick(phrases::CRIES)),
            "duree" => out.push_str(self.dice.pick(phrases::DURATIONS)),
            "etage" => out.push_str(self.dice.pick(phrases::FLOORS)),
            "alias" => out.push_str(self.dice.pick(phrases::ALIASES)),
            "age" => {
                let _ = write!(out, "{}", self.dice.range(13, 17));
            }
            "nb" => {
                let _ = write!(out, "{}", self.dice.range(2, 9));
            }
            "nb_clients" => write_thousands(out, self.dice.range(4, 90) * 10),
            "nb_membres" => write_thousands(out, self.dice.range(2, 50) * 100),
            "pct" => {
                let _ = write!(out, "{}", self.dice.range(25, 85));
            }
            "montant" => {
                let amount = match self.dice.below(100) {
                    0..=39 => self.dice.range(5, 50) * 100,
                    40..=84 => self.dice.range(10, 100) * 500,
                    _ => self.dice.range(10, 80) * 5_000,
                };
                write_thousands(out, amount);
                out.push_str(" €");
            }
            "montant_petit" => {
                out.push_str(
                    self.dice
                        .pick(&["1 000 €", "3 000 €", "5 000 €", "10 000 €"]),
                );
            }
            "date" => {
                let day = self.observed_on.day();
                if day == 1 {
                    out.push_str("1er");
                } else {
                    let _ = write!(out, "{day}");
                }
                out.push(' ');
                let month = usize::from(u8::from(self.observed_on.month())).saturating_sub(1);
                out.push_str(phrases::MONTHS.get(month).copied().unwrap_or(""));
                let _ = write!(out, " {}", self.observed_on.year());
            }
            "commune" => out.push_str(self.commune_name),
            "a_commune" => write_at_commune(out, self.commune_name),
            "de_commune" => write_of_commune(out, self.commune_name),
            "commune2" => {
                let name = self.other_commune();
                out.push_str(name);
            }
            "a_commune2" => {
                let name = self.other_commune();
                write_at_commune(out, name);
            }
            "de_commune2" => {
                let name = self.other_commune();
                write_of_commune(out, name);
            }
            "route" => out.push_str(self.dice.pick(self.flavour.routes)),
            "from" => {
                let origin = self
                    .dice
                    .pick_ref(self.flavour.origins)
                    .map_or("d'Espagne", |o| o.0);
                out.push_str(origin);
            }
            "in_country" => {
                let origin = self
                    .dice
                    .pick_ref(self.flavour.origins)
                    .map_or("en Espagne", |o| o.1);
                out.push_str(origin);
            }
            "transit" => out.push_str(self.dice.pick(self.flavour.transits)),
            // Left as written, for the tests to find.
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
    }

    /// Another commune than the item's, of the same département when there is one.
    fn other_commune(&mut self) -> &'w str {
        let world = self.world;
        for _ in 0..4 {
            let name = self
                .communes
                .get(self.dice.below(self.communes.len()))
                .and_then(|&i| world.communes.get(i))
                .map(|(_, name)| *name);
            match name {
                Some(name) if name != self.commune_name => return name,
                Some(_) => {}
                None => break,
            }
        }
        let (_, name) = self
            .dice
            .pick_ref(DEMO_COMMUNES)
            .copied()
            .unwrap_or(("13055", "Marseille"));
        name
    }

    /// Names the next person drawn for the item, sometimes one already named, otherwise someone
    /// unnamed (« un individu non identifié »).
    fn person(&mut self, out: &mut String, mention: Mention) {
        let chosen = if self.pending.is_empty() {
            let again: Vec<usize> = self
                .mentioned
                .iter()
                .copied()
                .filter(|&i| Some(i) != self.last)
                .collect();
            if again.is_empty() || !self.dice.chance(400) {
                None
            } else {
                again.get(self.dice.below(again.len())).copied()
            }
        } else {
            Some(self.pending.remove(0))
        };
        match chosen.and_then(|i| self.world.people.get(i).map(|person| (i, person))) {
            Some((i, person)) => {
                let elided = elides(&person.name);
                match mention {
                    Mention::Plain => {}
                    Mention::Of => out.push_str(if elided { "d'" } else { "de " }),
                    Mention::That => out.push_str(if elided { "qu'" } else { "que " }),
                }
                out.push_str(&person.name);
                if let Some(alias) = &person.alias {
                    if self.dice.chance(300) {
                        out.push_str(" (dit « ");
                        out.push_str(alias);
                        out.push_str(" »)");
                    }
                }
                if !self.mentioned.contains(&i) {
                    self.mentioned.push(i);
                }
                self.last = Some(i);
            }
            None => {
                // Every unnamed someone starts with « un » or « une ».
                let someone = self.pick_weighted(phrases::ANONYMOUS);
                match mention {
                    Mention::Plain => {}
                    Mention::Of => out.push_str("d'"),
                    Mention::That => out.push_str("qu'"),
                }
                self.fill(out, someone);
                self.last = None;
            }
        }
    }

    /// « Sont également cités : A, B et C. », naming every person drawn and not yet named.
    fn also_cited(&mut self, out: &mut String) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str("Sont également cités : ");
        let left = std::mem::take(&mut self.pending);
        for (i, &person) in left.iter().enumerate() {
            if i > 0 {
                out.push_str(if i + 1 == left.len() { " et " } else { ", " });
            }
            if let Some(named) = self.world.people.get(person) {
                out.push_str(&named.name);
                if !self.mentioned.contains(&person) {
                    self.mentioned.push(person);
                }
            }
        }
        out.push('.');
    }

    /// « une Renault Clio grise immatriculée FG-452-KL ».
    fn vehicle(&mut self, out: &mut String) {
        let (model, feminine, kind, _) = self
            .vehicles
            .pick(self.dice)
            .and_then(|&i| phrases::VEHICLES.get(i))
            .copied()
            .unwrap_or(("Renault Clio", true, "", 1));
        let (masculine, feminine_colour) = self
            .dice
            .pick_ref(phrases::COLOURS)
            .copied()
            .unwrap_or(("gris", "grise"));
        out.push_str(if feminine { "une " } else { "un " });
        out.push_str(kind);
        out.push_str(model);
        out.push(' ');
        out.push_str(if feminine { feminine_colour } else { masculine });
        let registered = if feminine {
            " immatriculée "
        } else {
            " immatriculé "
        };
        match self.dice.below(100) {
            0..=79 => {
                out.push_str(registered);
                out.push_str(&plate(self.dice));
            }
            80..=87 => {
                out.push_str(registered);
                let country = self
                    .dice
                    .pick_ref(self.flavour.origins)
                    .map_or("en Espagne", |o| o.1);
                out.push_str(country);
            }
            _ => out.push_str(" (immatriculation non relevée)"),
        }
    }

    /// A mobile number as agents write it: « 06 12 34 56 78 » (sometimes without spaces); 06 90 and
    /// 06 91 in Guadeloupe.
    fn phone(&mut self, out: &mut String) {
        let mut digits = [0u32; 10];
        digits[1] = 6;
        if self.flavour.antilles {
            digits[2] = 9;
            digits[3] = self.dice.range(0, 1);
        } else if self.dice.chance(650) {
            // 06 39 and 06 90-97 are overseas ranges.
            loop {
                digits[2] = self.dice.range(0, 9);
                digits[3] = self.dice.range(0, 9);
                let overseas =
                    (digits[2] == 3 && digits[3] == 9) || (digits[2] == 9 && digits[3] <= 7);
                if !overseas {
                    break;
                }
            }
        } else {
            digits[1] = 7;
            digits[2] = self.dice.range(3, 8);
            digits[3] = self.dice.range(0, 9);
        }
        for digit in digits.iter_mut().skip(4) {
            *digit = self.dice.range(0, 9);
        }
        let spaced = self.dice.chance(900);
        for (i, digit) in digits.iter().enumerate() {
            if spaced && i > 0 && i % 2 == 0 {
                out.push(' ');
            }
            out.push(char::from_digit(*digit, 10).unwrap_or('0'));
        }
    }
}
