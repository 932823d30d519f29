//! The route policy table: every route Vigie serves, with the policy action it performs.
//!
//! The router refuses (500, `VIGIE-INT-0002`) any request whose route is missing from this table, so a
//! new route cannot be served until someone has said which action it is. Tests read the table: every
//! OpenAPI path must be in it, and every action in it is exercised against the policy for every role.
//! The table says which action a route performs; the engine decides, per object, whether it may.

use vigie_core::policy::Action;

/// Who may reach a route before the engine decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No session needed (login page, health, static assets, API description).
    Public,
    /// A session is needed; the engine then decides `Action`.
    Session(Action),
}

#[derive(Clone, Copy, Debug)]
pub struct RouteSpec {
    pub method: &'static str,
    /// The path as registered in the router (`{id}` placeholders).
    pub path: &'static str,
    pub access: Access,
}

const fn route(method: &'static str, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec {
        method,
        path,
        access,
    }
}

use Access::{Public, Session};

#[rustfmt::skip]
pub const ROUTES: &[RouteSpec] = &[
    // Operations and public resources.
    route("GET",  "/healthz",                               Public),
    route("GET",  "/metrics",                               Public),
    route("GET",  "/api/openapi.json",                      Public),
    route("GET",  "/assets/dsfr/{*path}",                   Public),
    route("GET",  "/assets/leaflet/{*path}",                Public),
    route("GET",  "/assets/leaflet-markercluster/{*path}",  Public),
    route("GET",  "/assets/leaflet-heat/{*path}",           Public),
    route("GET",  "/assets/vigie/{*path}",                  Public),
    route("GET",  "/assets/cytoscape/{*path}",              Public),
    // JSON API.
    route("POST", "/api/v1/session",                        Public),
    route("DELETE", "/api/v1/session",                      Session(Action::ReadOwnProfile)),
    route("GET",  "/api/v1/me",                             Session(Action::ReadOwnProfile)),
    route("POST", "/api/v1/entities/search",                Session(Action::SearchEntities)),
    route("POST", "/api/v1/entities",                       Session(Action::CreateEntity)),
    route("POST", "/api/v1/entities/{id}/consultation",     Session(Action::ConsultEntity)),
    route("POST", "/api/v1/entities/graph",                 Session(Action::ConsultEntity)),
    route("POST", "/api/v1/entities/graph/anx",             Session(Action::ConsultEntity)),
    route("POST", "/api/v1/entities/graph/ftm",             Session(Action::ConsultEntity)),
    route("POST", "/api/v1/entities/graph/csv",             Session(Action::ConsultEntity)),
    route("POST", "/api/v1/entities/import",                Session(Action::CreateEntity)),
    route("POST", "/api/v1/links",                          Session(Action::CreateLink)),
    route("POST", "/api/v1/entities/{id}/facts",            Session(Action::RecordFact)),
    route("POST", "/api/v1/entities/{id}/merge-suggestions", Session(Action::MergeEntities)),
    route("POST", "/api/v1/entities/{id}/merges",           Session(Action::MergeEntities)),
    route("POST", "/api/v1/entities/{id}/unmerge",          Session(Action::MergeEntities)),
    route("GET",  "/api/v1/journal",                        Session(Action::ReadJournal)),
    route("GET",  "/api/v1/admin/units",                    Session(Action::ManageUnits)),
    route("POST", "/api/v1/admin/units",                    Session(Action::ManageUnits)),
    route("GET",  "/api/v1/admin/accounts",                 Session(Action::ManageAccounts)),
    route("POST", "/api/v1/admin/accounts",                 Session(Action::ManageAccounts)),
    route("POST", "/api/v1/admin/accounts/{id}/disable",    Session(Action::ManageAccounts)),
    route("POST", "/api/v1/admin/accounts/{id}/enable",     Session(Action::ManageAccounts)),
    route("POST", "/api/v1/admin/accounts/{id}/move",       Session(Action::ManageAccounts)),
    route("POST", "/api/v1/geo/locate",                     Session(Action::ReadGeography)),
    route("POST", "/api/v1/geo/locate/batch",               Session(Action::ReadGeography)),
    route("POST", "/api/v1/geo/communes/search",            Session(Action::ReadGeography)),
    route("GET",  "/api/v1/geo/organisation",               Session(Action::ReadGeography)),
    route("GET",  "/api/v1/geo/layers/departements",        Session(Action::ReadGeography)),
    route("GET",  "/api/v1/geo/layers/communes",            Session(Action::ReadGeography)),
    route("GET",  "/api/v1/targets",                        Session(Action::ReadTargets)),
    route("POST", "/api/v1/targets",                        Session(Action::RegisterTarget)),
    route("POST", "/api/v1/targets/bulk",                   Session(Action::RegisterTarget)),
    route("GET",  "/api/v1/targets/{id}",                   Session(Action::ReadTargets)),
    route("POST", "/api/v1/targets/{id}/identifiers",       Session(Action::RegisterTarget)),
    route("POST", "/api/v1/targets/{id}/renewal",           Session(Action::RegisterTarget)),
    route("POST", "/api/v1/targets/{id}/end",               Session(Action::RegisterTarget)),
    route("GET",  "/api/v1/deconfliction/notices",          Session(Action::ReadTargets)),
    route("POST", "/api/v1/deconfliction/check",            Session(Action::CheckDeconfliction)),
    route("GET",  "/api/v1/deconfliction/alerts",           Session(Action::ReadJournal)),
    route("GET",  "/api/v1/operations",                     Session(Action::PlanOperation)),
    route("POST", "/api/v1/operations",                     Session(Action::PlanOperation)),
    route("POST", "/api/v1/operations/{id}/cancel",         Session(Action::PlanOperation)),
    // Parties read their referrals; arbiters (DecideArbitration) read those addressed to them.
    route("GET",  "/api/v1/arbitrations",                   Session(Action::ReferArbitration)),
    route("POST", "/api/v1/arbitrations",                   Session(Action::ReferArbitration)),
    route("GET",  "/api/v1/arbitrations/{id}",              Session(Action::DecideArbitration)),
    route("POST", "/api/v1/arbitrations/{id}/decision",     Session(Action::DecideArbitration)),
    route("GET",  "/api/v1/priority",                       Session(Action::DecidePriority)),
    route("POST", "/api/v1/priority",                       Session(Action::NominatePriority)),
    route("POST", "/api/v1/priority/{id}/decision",         Session(Action::DecidePriority)),
    route("POST", "/api/v1/priority/{id}/review",           Session(Action::DecidePriority)),
    route("POST", "/api/v1/priority/{id}/outcomes",         Session(Action::NominatePriority)),
    route("POST", "/api/v1/intel/items",                    Session(Action::RecordIntel)),
    route("POST", "/api/v1/intel/search",                   Session(Action::ConsultIntel)),
    route("POST", "/api/v1/intel/export",                   Session(Action::ConsultIntel)),
    route("POST", "/api/v1/intel/export/csv",               Session(Action::ConsultIntel)),
    route("POST", "/api/v1/intel/items/{id}/consultation",  Session(Action::ConsultIntel)),
    route("POST", "/api/v1/intel/items/{id}/sanitised",     Session(Action::ManageIntel)),
    route("POST", "/api/v1/intel/items/{id}/permissions",   Session(Action::ManageIntel)),
    route("GET",  "/api/v1/watches",                        Session(Action::ConsultEntity)),
    route("POST", "/api/v1/watches",                        Session(Action::ConsultEntity)),
    route("POST", "/api/v1/watches/{id}/seen",              Session(Action::ConsultEntity)),
    route("DELETE", "/api/v1/watches/{id}",                 Session(Action::ConsultEntity)),
    // Reports API: residents without a session (proof of work, receipt code in the body), partners,
    // triage by the CROSS and OFAST, dealing points.
    route("GET",  "/api/v1/public/reports/challenge",       Public),
    route("POST", "/api/v1/public/reports",                 Public),
    route("POST", "/api/v1/public/receipts/status",         Public),
    route("POST", "/api/v1/public/receipts/messages",       Public),
    route("POST", "/api/v1/public/communes/search",         Public),
    route("POST", "/api/v1/reports",                        Session(Action::SubmitReport)),
    route("GET",  "/api/v1/reports/mine",                   Session(Action::SubmitReport)),
    route("GET",  "/api/v1/reports/digest",                 Session(Action::SubmitReport)),
    route("POST", "/api/v1/reports/queue",                  Session(Action::TriageReports)),
    route("POST", "/api/v1/reports/{id}/consultation",      Session(Action::TriageReports)),
    route("POST", "/api/v1/reports/{id}/status",            Session(Action::TriageReports)),
    route("POST", "/api/v1/reports/{id}/notes",             Session(Action::TriageReports)),
    route("POST", "/api/v1/reports/{id}/messages",          Session(Action::TriageReports)),
    route("GET",  "/api/v1/reports/{id}/photos/{photo}",    Session(Action::TriageReports)),
    route("GET",  "/api/v1/dealing-points",                 Session(Action::ReadDealingPoints)),
    route("POST", "/api/v1/dealing-points",                 Session(Action::ManageDealingPoints)),
    route("GET",  "/api/v1/dealing-points/{id}",            Session(Action::ReadDealingPoints)),
    route("POST", "/api/v1/dealing-points/{id}/changes",    Session(Action::ManageDealingPoints)),
    // Pages.
    route("GET",  "/",                                      Session(Action::ReadOwnProfile)),
    route("GET",  "/connexion",                             Public),
    route("POST", "/connexion",                             Public),
    route("POST", "/deconnexion",                           Session(Action::ReadOwnProfile)),
    route("GET",  "/recherche",                             Session(Action::SearchEntities)),
    route("POST", "/recherche",                             Session(Action::SearchEntities)),
    route("GET",  "/entites/import",                        Session(Action::CreateEntity)),
    route("POST", "/entites/import",                        Session(Action::CreateEntity)),
    route("GET",  "/entites/{id}",                          Session(Action::ConsultEntity)),
    route("POST", "/entites/{id}",                          Session(Action::ConsultEntity)),
    route("POST", "/entites/{id}/informations",             Session(Action::RecordFact)),
    route("POST", "/entites/{id}/fusions",                  Session(Action::MergeEntities)),
    route("POST", "/entites/{id}/defusion",                 Session(Action::MergeEntities)),
    route("GET",  "/renseignement",                         Session(Action::ConsultIntel)),
    route("POST", "/renseignement",                         Session(Action::ConsultIntel)),
    route("GET",  "/renseignement/nouveau",                 Session(Action::RecordIntel)),
    route("POST", "/renseignement/nouveau",                 Session(Action::RecordIntel)),
    route("GET",  "/renseignement/elements/{id}",           Session(Action::ConsultIntel)),
    route("POST", "/renseignement/elements/{id}",           Session(Action::ConsultIntel)),
    route("POST", "/renseignement/elements/{id}/copie-epuree", Session(Action::ManageIntel)),
    route("POST", "/renseignement/elements/{id}/autorisations", Session(Action::ManageIntel)),
    route("POST", "/renseignement/export",                  Session(Action::ConsultIntel)),
    route("GET",  "/veilles",                               Session(Action::ConsultEntity)),
    route("POST", "/veilles",                               Session(Action::ConsultEntity)),
    route("POST", "/veilles/{id}/vu",                       Session(Action::ConsultEntity)),
    route("POST", "/veilles/{id}/suppression",              Session(Action::ConsultEntity)),
    route("GET",  "/journal",                               Session(Action::ReadJournal)),
    route("GET",  "/journal/alertes",                       Session(Action::ReadJournal)),
    route("GET",  "/objectifs",                             Session(Action::ReadTargets)),
    route("GET",  "/objectifs/nouveau",                     Session(Action::RegisterTarget)),
    route("POST", "/objectifs/nouveau",                     Session(Action::RegisterTarget)),
    route("GET",  "/objectifs/conflits",                    Session(Action::ReadTargets)),
    route("GET",  "/objectifs/verification",                Session(Action::CheckDeconfliction)),
    route("POST", "/objectifs/verification",                Session(Action::CheckDeconfliction)),
    route("GET",  "/objectifs/{id}",                        Session(Action::ReadTargets)),
    route("POST", "/objectifs/{id}/identifiants",           Session(Action::RegisterTarget)),
    route("POST", "/objectifs/{id}/renouvellement",         Session(Action::RegisterTarget)),
    route("POST", "/objectifs/{id}/fin",                    Session(Action::RegisterTarget)),
    route("POST", "/objectifs/{id}/arbitrage",              Session(Action::ReferArbitration)),
    route("POST", "/objectifs/{id}/priorite",               Session(Action::NominatePriority)),
    route("POST", "/objectifs/{id}/resultats",              Session(Action::NominatePriority)),
    route("GET",  "/objectifs/prioritaires",                Session(Action::DecidePriority)),
    route("POST", "/objectifs/prioritaires/{id}/decision",  Session(Action::DecidePriority)),
    route("POST", "/objectifs/prioritaires/{id}/revue",     Session(Action::DecidePriority)),
    route("POST", "/objectifs/prioritaires/{id}/resultats", Session(Action::DecidePriority)),
    route("GET",  "/operations",                            Session(Action::PlanOperation)),
    route("POST", "/operations",                            Session(Action::PlanOperation)),
    route("POST", "/operations/{id}/annulation",            Session(Action::PlanOperation)),
    // Parties read their referrals; arbiters (DecideArbitration) read those addressed to them.
    route("GET",  "/arbitrages",                            Session(Action::ReferArbitration)),
    route("GET",  "/arbitrages/{id}",                       Session(Action::DecideArbitration)),
    route("POST", "/arbitrages/{id}/decision",              Session(Action::DecideArbitration)),
    route("GET",  "/carte",                                 Session(Action::ReadGeography)),
    // Reports triage, dealing points, partners.
    route("GET",  "/signalements",                          Session(Action::TriageReports)),
    route("POST", "/signalements",                          Session(Action::TriageReports)),
    route("GET",  "/signalements/{id}",                     Session(Action::TriageReports)),
    route("POST", "/signalements/{id}/consultation",        Session(Action::TriageReports)),
    route("GET",  "/signalements/{id}/photos/{photo}",      Session(Action::TriageReports)),
    route("POST", "/signalements/{id}/statut",              Session(Action::TriageReports)),
    route("POST", "/signalements/{id}/notes",               Session(Action::TriageReports)),
    route("POST", "/signalements/{id}/messages",            Session(Action::TriageReports)),
    route("POST", "/signalements/{id}/point",               Session(Action::ManageDealingPoints)),
    route("GET",  "/points-de-deal",                        Session(Action::ReadDealingPoints)),
    route("POST", "/points-de-deal",                        Session(Action::ManageDealingPoints)),
    route("GET",  "/points-de-deal/donnees",                Session(Action::ReadDealingPoints)),
    route("GET",  "/points-de-deal/{id}",                   Session(Action::ReadDealingPoints)),
    route("POST", "/points-de-deal/{id}/statut",            Session(Action::ManageDealingPoints)),
    route("POST", "/points-de-deal/{id}/operations",        Session(Action::ManageDealingPoints)),
    route("POST", "/points-de-deal/{id}/prix",              Session(Action::ManageDealingPoints)),
    route("POST", "/points-de-deal/{id}/horaires",          Session(Action::ManageDealingPoints)),
    route("POST", "/points-de-deal/{id}/deplacement",       Session(Action::ManageDealingPoints)),
    route("GET",  "/partenaire/signalements",               Session(Action::SubmitReport)),
    route("POST", "/partenaire/signalements",               Session(Action::SubmitReport)),
    route("GET",  "/admin",                                 Session(Action::ManageAccounts)),
    route("POST", "/admin/comptes",                         Session(Action::ManageAccounts)),
    route("POST", "/admin/comptes/{id}/etat",               Session(Action::ManageAccounts)),
    route("POST", "/admin/comptes/{id}/unite",              Session(Action::ManageAccounts)),
    route("POST", "/admin/unites",                          Session(Action::ManageUnits)),
    // Residents' public report pages (no account, no cookie; the receipt code only in POST bodies).
    route("GET",  "/signaler",                              Public),
    route("POST", "/signaler",                              Public),
    route("GET",  "/signaler/defi",                         Public),
    route("POST", "/signaler/communes",                     Public),
    route("GET",  "/suivi",                                 Public),
    route("POST", "/suivi",                                 Public),
    route("POST", "/suivi/complement",                      Public),
];

pub fn lookup(method: &str, path: &str) -> Option<&'static RouteSpec> {
    ROUTES
        .iter()
        .find(|spec| spec.method == method && spec.path == path)
}
