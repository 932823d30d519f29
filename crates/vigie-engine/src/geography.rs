//! French geography through the engine: the same policy gate as everything else, no journal.
//!
//! Geography is public reference data (communes, départements, the organisation map), so reading it is
//! not journaled; it still goes through the policy table (`ReadGeography`) so that one table says who
//! may do what. Later features that route what has a place to its CROSS will read it here, in the
//! engine.

use crate::{Actor, Engine, EngineResult};
use vigie_core::policy::Action;
use vigie_geo::Geography;

impl Engine {
    /// The geography, for an actor allowed to use it.
    pub fn geography(&self, actor: &Actor) -> EngineResult<&Geography> {
        self.require(actor, Action::ReadGeography)?;
        Ok(&self.inner.geography)
    }

    /// Communes matching a name or postcode, for the residents' public report form, which has no
    /// account: public reference data, no personal data, nothing journaled. Only the list of names
    /// and codes is offered, nothing else of the geography.
    pub fn public_commune_search(
        &self,
        query: &str,
        limit: usize,
    ) -> Vec<vigie_geo::search::CommuneMatch> {
        self.inner.geography.search_communes(query, limit.min(20))
    }

    /// Builds the reverse-geocoding index and the commune search now (at server start) rather than
    /// on the first request.
    pub fn warm_geography(&self) {
        self.inner.geography.warm();
    }
}
