//! Organisations, units, roles and accounts.
//!
//! A unit is where an account works: a police, gendarmerie or customs service, a CROSS, OFAST or one of
//! its antennas, a parquet or JIRS, a partner, or the administration that runs Vigie. A unit has a
//! territory (the départements it covers, or the whole country). Accounts belong to exactly one unit and
//! have exactly one role. Nothing here stores passwords or sessions: that is the engine's business.

use serde::{Deserialize, Serialize};

/// Declares a UUID-backed identifier type with a journal prefix (also used by other Vigie crates).
#[macro_export]
macro_rules! uuid_id {
    ($name:ident, $prefix:literal) => {
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub ::uuid::Uuid);

        impl $name {
            /// The prefix used when this id appears as a journal object reference.
            pub const PREFIX: &'static str = $prefix;

            pub fn parse(input: &str) -> Option<Self> {
                ::uuid::Uuid::parse_str(input).ok().map(Self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(UnitId, "unit");
uuid_id!(AccountId, "account");

/// What kind of organisation a unit is. Decides which legal regimes its records fall under by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// Police nationale: commissariat, sûreté départementale, office central.
    Police,
    /// Gendarmerie nationale: brigade, section de recherches.
    Gendarmerie,
    /// Douane: DNRED, brigades, services régionaux.
    Customs,
    /// Cellule du renseignement opérationnel sur les stupéfiants, one per département.
    Cross,
    /// Office anti-stupéfiants, the national lead office.
    Ofast,
    /// One of OFAST's territorial antennas.
    OfastAntenna,
    /// Parquet (public prosecution) of a tribunal judiciaire.
    Parquet,
    /// Juridiction interrégionale spécialisée.
    Jirs,
    /// Inspection générale (IGPN, IGGN, inspection des douanes).
    Inspection,
    /// The team that runs Vigie.
    Administration,
    /// Municipal police, social landlord, transport operator, mayor.
    Partner,
}

impl UnitKind {
    pub const ALL: [UnitKind; 11] = [
        UnitKind::Police,
        UnitKind::Gendarmerie,
        UnitKind::Customs,
        UnitKind::Cross,
        UnitKind::Ofast,
        UnitKind::OfastAntenna,
        UnitKind::Parquet,
        UnitKind::Jirs,
        UnitKind::Inspection,
        UnitKind::Administration,
        UnitKind::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Police => "police",
            UnitKind::Gendarmerie => "gendarmerie",
            UnitKind::Customs => "customs",
            UnitKind::Cross => "cross",
            UnitKind::Ofast => "ofast",
            UnitKind::OfastAntenna => "ofast_antenna",
            UnitKind::Parquet => "parquet",
            UnitKind::Jirs => "jirs",
            UnitKind::Inspection => "inspection",
            UnitKind::Administration => "administration",
            UnitKind::Partner => "partner",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == input)
    }

    /// French label shown to users.
    pub fn label_fr(self) -> &'static str {
        match self {
            UnitKind::Police => "Police nationale",
            UnitKind::Gendarmerie => "Gendarmerie nationale",
            UnitKind::Customs => "Douane",
            UnitKind::Cross => "CROSS",
            UnitKind::Ofast => "OFAST",
            UnitKind::OfastAntenna => "Antenne OFAST",
            UnitKind::Parquet => "Parquet",
            UnitKind::Jirs => "JIRS",
            UnitKind::Inspection => "Inspection",
            UnitKind::Administration => "Administration de Vigie",
            UnitKind::Partner => "Partenaire",
        }
    }
}

/// The départements a unit covers. An empty list means the whole country.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Territory {
    departements: Vec<String>,
}

impl Territory {
    pub fn national() -> Self {
        Self {
            departements: Vec::new(),
        }
    }

    /// Builds a territory from département codes ("13", "2A", "971"); codes are kept sorted and unique.
    pub fn departements<I, S>(codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut departements: Vec<String> = codes.into_iter().map(Into::into).collect();
        departements.sort();
        departements.dedup();
        Self { departements }
    }

    pub fn is_national(&self) -> bool {
        self.departements.is_empty()
    }

    pub fn codes(&self) -> &[String] {
        &self.departements
    }

    /// Whether a record located in `departement` lies inside this territory.
    pub fn covers(&self, departement: Option<&str>) -> bool {
        if self.is_national() {
            return true;
        }
        match departement {
            Some(code) => self.departements.iter().any(|own| own == code),
            None => false,
        }
    }

    /// Stored form: comma-separated codes, empty for national.
    pub fn to_storage(&self) -> String {
        self.departements.join(",")
    }

    pub fn from_storage(stored: &str) -> Self {
        Self::departements(
            stored
                .split(',')
                .map(str::trim)
                .filter(|code| !code.is_empty()),
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    /// Short stable code, e.g. "CROSS-13", "SR-MARSEILLE", "OFAST".
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub territory: Territory,
    pub parent: Option<UnitId>,
}

/// What an account may do in Vigie. One role per account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Investigator or agent of a police, gendarmerie or customs service.
    Agent,
    /// Analyst of a CROSS.
    CrossAnalyst,
    /// Analyst of OFAST or one of its antennas.
    OfastAnalyst,
    /// Head of a service.
    HeadOfUnit,
    /// Magistrate of a parquet or JIRS.
    Magistrate,
    /// Reads the consultation journal, nothing else.
    Auditor,
    /// Inspection: reads the journal and the anomaly alerts.
    Inspection,
    /// Manages units and accounts; reads no intelligence.
    Administrator,
    /// Partner account (municipal police, social landlord...): submits reports only.
    Partner,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Agent,
        Role::CrossAnalyst,
        Role::OfastAnalyst,
        Role::HeadOfUnit,
        Role::Magistrate,
        Role::Auditor,
        Role::Inspection,
        Role::Administrator,
        Role::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::CrossAnalyst => "cross_analyst",
            Role::OfastAnalyst => "ofast_analyst",
            Role::HeadOfUnit => "head_of_unit",
            Role::Magistrate => "magistrate",
            Role::Auditor => "auditor",
            Role::Inspection => "inspection",
            Role::Administrator => "administrator",
            Role::Partner => "partner",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == input)
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Role::Agent => "Enquêteur",
            Role::CrossAnalyst => "Analyste CROSS",
            Role::OfastAnalyst => "Analyste OFAST",
            Role::HeadOfUnit => "Chef de service",
            Role::Magistrate => "Magistrat",
            Role::Auditor => "Auditeur",
            Role::Inspection => "Inspection",
            Role::Administrator => "Administrateur",
            Role::Partner => "Partenaire",
        }
    }
}

/// An account as the rest of Vigie sees it. The password hash stays in the engine and the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    /// Login name, lower case, unique.
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: UnitId,
    pub disabled: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn territory_covers() {
        let bdr = Territory::departements(["13", "84", "13"]);
        assert_eq!(bdr.codes(), ["13", "84"]);
        assert!(bdr.covers(Some("84")));
        assert!(!bdr.covers(Some("75")));
        assert!(!bdr.covers(None));
        assert!(Territory::national().covers(None));
        assert_eq!(Territory::from_storage(&bdr.to_storage()), bdr);
        assert_eq!(Territory::from_storage(""), Territory::national());
    }

    #[test]
    fn roles_and_kinds_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for kind in UnitKind::ALL {
            assert_eq!(UnitKind::parse(kind.as_str()), Some(kind));
        }
    }
}
