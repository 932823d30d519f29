//! Link charts: the entities around one or more seeds, hop by hop, as the reader may see them, and
//! their export to i2 Analyst's Notebook, FollowTheMoney JSON lines or CSV (one schema's entities).
//!
//! The walk goes only through what the policy lets the reader consult: a hidden entity is neither
//! shown nor walked through, so its neighbours are not revealed by way of it, and a link is shown
//! only when the reader may see the link and both its ends. The chart is journaled, durably and
//! before it is returned, as one consultation with the motif that names every entity shown (the
//! first seed as its object, the others in `shown`); a seed the reader may not
//! see makes the whole request `NotFound`, exactly as consulting it would.
//!
//! What it does not do: lay the chart out or keep it (the browser does; a chart is rebuilt from its
//! seeds, which is also how the ANX export reproduces what the analyst has on screen).

use crate::auth::Actor;
use crate::entities::{clean_motif, link_marks, marks, EntitySummary, MAX_LINKS_SHOWN};
use crate::error::{EngineError, EngineResult};
use crate::{Engine, RequestContext};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use time::Date;
use vigie_core::entity::{Entity, EntityId, FieldError, Link, LinkId, LinkKind, Schema};
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::policy::{decide, search_reach, Action, DenyReason};
use vigie_intel::chart::{Chart, ChartEdge, ChartNode};
use vigie_intel::csv_entities::{check_export_mapping, parse_mapping, write_csv};
use vigie_intel::ftm_entities::{entity_to_ftm, link_to_ftm};
use vigie_store::Neighbourhood;

/// The most entities one chart request may return.
pub const MAX_GRAPH_NODES: usize = 500;
/// The default cap on entities, enough for a readable chart.
pub const DEFAULT_GRAPH_NODES: usize = 150;
/// The deepest walk from one seed.
pub const MAX_GRAPH_HOPS: u8 = 3;
/// The most seeds (the root plus every entity the analyst expanded).
pub const MAX_GRAPH_SEEDS: usize = 200;

/// Where a walk starts, and how many links deep it goes from there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphSeed {
    pub id: EntityId,
    pub hops: u8,
}

#[derive(Clone, Debug, Default)]
pub struct GraphRequest {
    pub seeds: Vec<GraphSeed>,
    /// Kinds of link to follow; empty follows every kind.
    pub kinds: Vec<LinkKind>,
    /// Only links whose period meets [from, to]; a link without dates always does.
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub max_nodes: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GraphNode {
    pub entity: EntitySummary,
    /// Links from the nearest seed (0 for a seed).
    pub hop: u8,
    pub seed: bool,
}

#[derive(Clone, Debug)]
pub struct EntityGraph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<Link>,
    /// True when entities were left out because of the cap (or a node had more links than are read).
    pub truncated: bool,
    /// Sequence number of the journal entry of the first seed's consultation.
    pub journal_seq: u64,
}

/// What the walk found, before it is journaled.
struct Walk {
    nodes: Vec<GraphNode>,
    /// The entities of `nodes`, in the same order (for exports that carry their properties).
    entities: Vec<Entity>,
    edges: Vec<Link>,
    truncated: bool,
}

impl GraphRequest {
    fn validate(&self) -> EngineResult<usize> {
        let mut errors = Vec::new();
        let mut error = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            })
        };
        if self.seeds.is_empty() {
            error("seeds", "Indiquez au moins une entité de départ".to_owned());
        }
        if self.seeds.len() > MAX_GRAPH_SEEDS {
            error(
                "seeds",
                format!("Un schéma part d'au plus {MAX_GRAPH_SEEDS} entités"),
            );
        }
        if self
            .seeds
            .iter()
            .any(|seed| seed.hops == 0 || seed.hops > MAX_GRAPH_HOPS)
        {
            error(
                "hops",
                format!("La profondeur va de 1 à {MAX_GRAPH_HOPS} liens"),
            );
        }
        let max_nodes = self.max_nodes.unwrap_or(DEFAULT_GRAPH_NODES);
        if max_nodes == 0 || max_nodes > MAX_GRAPH_NODES {
            error(
                "max_nodes",
                format!("Un schéma compte de 1 à {MAX_GRAPH_NODES} entités"),
            );
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from > to {
                error("to", "La date de fin précède la date de début".to_owned());
            }
        }
        if errors.is_empty() {
            Ok(max_nodes)
        } else {
            Err(EngineError::Invalid(errors))
        }
    }

    fn follows(&self, link: &Link) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&link.kind))
            && match (self.to, link.start) {
                (Some(to), Some(start)) => start <= to,
                _ => true,
            }
            && match (self.from, link.end) {
                (Some(from), Some(end)) => end >= from,
                _ => true,
            }
    }
}

impl Engine {
    /// The chart around `request.seeds`, journaled entity by entity with the motif.
    pub async fn entity_graph(
        &self,
        actor: &Actor,
        request: &GraphRequest,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<EntityGraph> {
        let (motif, walk) = self.walk(actor, request, motif, ctx).await?;
        let journal_seq = self.journal_chart(actor, &walk, &motif, ctx).await?;
        Ok(EntityGraph {
            nodes: walk.nodes,
            edges: walk.edges,
            truncated: walk.truncated,
            journal_seq,
        })
    }

    /// The same chart as an i2 Analyst's Notebook document, entities placed where the analyst left
    /// them. Each entity exported is journaled with the motif, marked as an export.
    pub async fn export_graph_anx(
        &self,
        actor: &Actor,
        request: &GraphRequest,
        positions: &HashMap<EntityId, (f64, f64)>,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<String> {
        let (motif, walk) = self.walk(actor, request, motif, ctx).await?;
        let export_motif = format!("exportation ANX : {motif}");
        self.journal_chart(actor, &walk, &export_motif, ctx).await?;
        let chart = Chart {
            nodes: walk
                .nodes
                .iter()
                .map(|node| ChartNode {
                    id: node.entity.id,
                    schema: node.entity.schema,
                    caption: node.entity.caption.clone(),
                    departement: node.entity.departement.clone(),
                    regime: node.entity.regime,
                    position: positions.get(&node.entity.id).copied(),
                })
                .collect(),
            edges: walk
                .edges
                .iter()
                .map(|link| ChartEdge {
                    id: link.id,
                    kind: link.kind,
                    source: link.source,
                    target: link.target,
                    start: link.start,
                    end: link.end,
                    source_note: link.provenance.source.clone(),
                })
                .collect(),
        };
        Ok(chart.to_anx())
    }

    /// The same chart as FollowTheMoney JSON lines (entities, then links), for Aleph or another
    /// Vigie. Each entity exported is journaled with the motif, marked as an export.
    pub async fn export_graph_ftm(
        &self,
        actor: &Actor,
        request: &GraphRequest,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<Vec<String>> {
        let (motif, walk) = self.walk(actor, request, motif, ctx).await?;
        let export_motif = format!("exportation FtM : {motif}");
        self.journal_chart(actor, &walk, &export_motif, ctx).await?;
        let entities = walk.entities.iter().map(entity_to_ftm);
        let links = walk.edges.iter().map(link_to_ftm);
        Ok(entities.chain(links).map(|line| line.to_string()).collect())
    }

    /// The entities of one schema on the same chart as CSV, one row per entity, with a column
    /// mapping ("property=COLUMN,...", see `vigie_intel::csv_entities`). The mapping is checked
    /// first (`Invalid` on field `mapping`, every fault named); then the chart is walked and every
    /// entity on it is journaled with the motif, marked as an export, as for the FtM export.
    pub async fn export_graph_csv(
        &self,
        actor: &Actor,
        request: &GraphRequest,
        schema: Schema,
        mapping: &str,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<String> {
        let mapping_fault = |messages: Vec<String>| {
            EngineError::Invalid(
                messages
                    .into_iter()
                    .map(|message| FieldError {
                        field: "mapping".to_owned(),
                        message: format!("Correspondance des colonnes : {message}"),
                    })
                    .collect(),
            )
        };
        let mapping = parse_mapping(mapping).map_err(|message| mapping_fault(vec![message]))?;
        check_export_mapping(schema, &mapping).map_err(mapping_fault)?;
        let (motif, walk) = self.walk(actor, request, motif, ctx).await?;
        let export_motif = format!("exportation CSV : {motif}");
        self.journal_chart(actor, &walk, &export_motif, ctx).await?;
        let rows = walk
            .entities
            .iter()
            .filter(|entity| entity.schema == schema)
            .map(|entity| &entity.properties);
        write_csv(schema, &mapping, rows).map_err(|faults| EngineError::Internal(faults.join("; ")))
    }

    /// Refuses a role that may never consult (journaled, like a consultation) and checks the
    /// motif and the request; returns the cleaned motif and the cap on entities.
    async fn graph_preconditions(
        &self,
        actor: &Actor,
        request: &GraphRequest,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<(String, usize)> {
        if search_reach(actor.role(), Action::ConsultEntity).is_none() {
            self.inner.metrics.denials.fetch_add(1, Ordering::Relaxed);
            let object = request
                .seeds
                .first()
                .map(|seed| format!("entity:{}", seed.id))
                .unwrap_or_else(|| "graph".to_owned());
            let draft = self.draft(
                Some(actor),
                JournalAction::Consult,
                object,
                "",
                Outcome::Deny,
                ctx,
            );
            self.journal_only(vec![draft]).await?;
            return Err(EngineError::Forbidden);
        }
        let motif = clean_motif(motif)?;
        let max_nodes = request.validate()?;
        Ok((motif, max_nodes))
    }

    /// Checks the request, then walks breadth-first from every seed at once, through visible
    /// entities and links only; returns the cleaned motif with what was found.
    async fn walk(
        &self,
        actor: &Actor,
        request: &GraphRequest,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<(String, Walk)> {
        let (motif, max_nodes) = self.graph_preconditions(actor, request, motif, ctx).await?;
        let motif = motif.as_str();
        let subject = actor.subject();
        let visible = |entity: &Entity| {
            decide(&subject, Action::ConsultEntity, Some(marks(entity))).is_allowed()
        };
        let mut walk = Walk {
            nodes: Vec::new(),
            entities: Vec::new(),
            edges: Vec::new(),
            truncated: false,
        };
        let mut position: HashMap<EntityId, usize> = HashMap::new();
        // The most hops still to walk from each entity reached so far.
        let mut budget: HashMap<EntityId, u8> = HashMap::new();
        let mut neighbourhoods: HashMap<EntityId, Arc<Neighbourhood>> = HashMap::new();
        let mut edges_seen: HashSet<LinkId> = HashSet::new();
        let mut queue: VecDeque<EntityId> = VecDeque::new();

        for seed in &request.seeds {
            let found = self
                .inner
                .store
                .entity_with_neighbours(seed.id, MAX_LINKS_SHOWN)
                .await?;
            let found = match found {
                Some(found) if visible(&found.entity) => found,
                found => {
                    self.inner.metrics.denials.fetch_add(1, Ordering::Relaxed);
                    let draft = self.draft(
                        Some(actor),
                        JournalAction::Consult,
                        format!("entity:{}", seed.id),
                        motif,
                        Outcome::Deny,
                        ctx,
                    );
                    self.journal_only(vec![draft]).await?;
                    let by_role = found.is_some_and(|found| {
                        decide(&subject, Action::ConsultEntity, Some(marks(&found.entity)))
                            == vigie_core::policy::Decision::Deny(DenyReason::Role)
                    });
                    return Err(if by_role {
                        EngineError::Forbidden
                    } else {
                        EngineError::NotFound
                    });
                }
            };
            if let Some(&at) = position.get(&seed.id) {
                if let Some(node) = walk.nodes.get_mut(at) {
                    node.hop = 0;
                    node.seed = true;
                }
            } else {
                position.insert(seed.id, walk.nodes.len());
                walk.nodes.push(GraphNode {
                    entity: EntitySummary::of(&found.entity),
                    hop: 0,
                    seed: true,
                });
                walk.entities.push(found.entity.clone());
            }
            let best = budget.entry(seed.id).or_insert(0);
            *best = (*best).max(seed.hops);
            neighbourhoods.insert(seed.id, found);
            queue.push_back(seed.id);
        }

        while let Some(id) = queue.pop_front() {
            let remaining = budget.get(&id).copied().unwrap_or(0);
            if remaining == 0 {
                continue;
            }
            let hop = position
                .get(&id)
                .and_then(|&at| walk.nodes.get(at))
                .map_or(0, |node| node.hop);
            let found = match neighbourhoods.remove(&id) {
                Some(found) => Some(found),
                None => {
                    self.inner
                        .store
                        .entity_with_neighbours(id, MAX_LINKS_SHOWN)
                        .await?
                }
            };
            let neighbours = found
                .as_ref()
                .map_or(&[][..], |found| &found.neighbours[..]);
            if neighbours.len() >= MAX_LINKS_SHOWN {
                walk.truncated = true;
            }
            for (link, other) in neighbours {
                if !request.follows(link)
                    || !decide(&subject, Action::ConsultEntity, Some(link_marks(link))).is_allowed()
                    || !visible(other)
                {
                    continue;
                }
                match position.entry(other.id) {
                    std::collections::hash_map::Entry::Occupied(at) => {
                        if let Some(node) = walk.nodes.get_mut(*at.get()) {
                            node.hop = node.hop.min(hop.saturating_add(1));
                        }
                    }
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        if walk.nodes.len() >= max_nodes {
                            walk.truncated = true;
                            continue;
                        }
                        slot.insert(walk.nodes.len());
                        walk.nodes.push(GraphNode {
                            entity: EntitySummary::of(other),
                            hop: hop.saturating_add(1),
                            seed: false,
                        });
                        walk.entities.push(other.clone());
                    }
                }
                let left = remaining - 1;
                let best = budget.entry(other.id).or_insert(0);
                if left > *best {
                    *best = left;
                    queue.push_back(other.id);
                }
                if edges_seen.insert(link.id) {
                    walk.edges.push(link.clone());
                }
            }
            // Walked: a later, longer budget re-queues it (and re-reads it).
            budget.insert(id, 0);
        }
        Ok((motif.to_owned(), walk))
    }

    /// One consultation entry for the chart, durable before the chart is returned: its object is
    /// the first seed and `shown` names every other entity on the chart, so that an auditor finds
    /// the entry under each of them (as for an entity's page, whose linked entities are `shown`).
    async fn journal_chart(
        &self,
        actor: &Actor,
        walk: &Walk,
        motif: &str,
        ctx: &RequestContext,
    ) -> EngineResult<u64> {
        let mut ids = walk.nodes.iter().map(|node| node.entity.id);
        let first = ids
            .next()
            .ok_or_else(|| EngineError::Internal("a chart without its seed".to_owned()))?;
        let mut draft = self.draft(
            Some(actor),
            JournalAction::Consult,
            format!("entity:{first}"),
            motif,
            Outcome::Allow,
            ctx,
        );
        draft.shown = ids.map(|id| format!("entity:{id}")).collect();
        let seqs = self.journal_only(vec![draft]).await?;
        self.inner
            .metrics
            .consultations
            .fetch_add(1, Ordering::Relaxed);
        seqs.first()
            .copied()
            .ok_or_else(|| EngineError::Internal("journal returned no sequence".to_owned()))
    }
}
