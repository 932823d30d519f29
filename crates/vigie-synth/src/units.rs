//! The synthetic organisation: OFAST and two antennas, a CROSS, a police, a gendarmerie and a customs
//! service and a parquet per demo département, the JIRS of Marseille and Paris, an inspection, the
//! administration of Vigie and one partner; then the demo accounts that work in them.
//!
//! Unit codes, names, territories and account usernames, display names and roles are fixed: they do
//! not depend on the seed, so the README can list them. Only the ids are drawn (from their own stream,
//! so they do not depend on the number of people either). Nothing here touches passwords beyond the
//! shared demo password the CLI prints, nor stores anything.

use crate::dice::Dice;
use crate::lists::{
    Commune, Origin, COMMUNES_13, COMMUNES_59, COMMUNES_69, COMMUNES_75, COMMUNES_93, COMMUNES_971,
    STAFF_FIRST_NAMES, STAFF_SURNAMES,
};
use crate::DemoAccount;
use vigie_core::org::{Account, AccountId, Role, Territory, Unit, UnitId, UnitKind};

/// The password of every demo account. For the local demo only.
pub const DEMO_PASSWORD: &str = "vigie-demo-2026";

/// A demo département and the names of its services.
pub(crate) struct Departement {
    pub code: &'static str,
    /// "des Bouches-du-Rhône", "de Paris": the département's name with its preposition and article.
    pub of_name: &'static str,
    pub police: &'static str,
    pub gendarmerie: &'static str,
    pub customs: &'static str,
    /// Seat of the tribunal judiciaire whose parquet the département's cases go to.
    pub court: &'static str,
    /// Code suffix of that parquet: "MARSEILLE" gives "PARQUET-MARSEILLE".
    pub court_code: &'static str,
    /// Share of the synthetic networks located here.
    pub weight: u32,
    pub communes: &'static [Commune],
    /// Origin mix of the names drawn here, in per-mille weights.
    pub origins: &'static [(Origin, u32)],
}

pub(crate) static DEPARTEMENTS: [Departement; 6] = [
    Departement {
        code: "13",
        of_name: "des Bouches-du-Rhône",
        police: "Sûreté départementale des Bouches-du-Rhône",
        gendarmerie: "Section de recherches de Marseille",
        customs: "Direction régionale des douanes de Marseille",
        court: "Marseille",
        court_code: "MARSEILLE",
        weight: 30,
        communes: COMMUNES_13,
        origins: &[
            (Origin::French, 430),
            (Origin::NorthAfrican, 300),
            (Origin::Comorian, 120),
            (Origin::WestAfrican, 80),
            (Origin::Portuguese, 40),
            (Origin::Antillean, 30),
        ],
    },
    Departement {
        code: "75",
        of_name: "de Paris",
        police: "Sûreté territoriale de Paris",
        gendarmerie: "Section de recherches de Paris",
        customs: "Direction régionale des douanes de Paris",
        court: "Paris",
        court_code: "PARIS",
        weight: 15,
        communes: COMMUNES_75,
        origins: &[
            (Origin::French, 420),
            (Origin::NorthAfrican, 220),
            (Origin::WestAfrican, 200),
            (Origin::Portuguese, 70),
            (Origin::Antillean, 60),
            (Origin::Comorian, 30),
        ],
    },
    Departement {
        code: "93",
        of_name: "de la Seine-Saint-Denis",
        police: "Sûreté territoriale de la Seine-Saint-Denis",
        gendarmerie: "Section de recherches de Seine-Saint-Denis",
        customs: "Direction régionale des douanes de Paris-Aéroport Roissy",
        court: "Bobigny",
        court_code: "BOBIGNY",
        weight: 20,
        communes: COMMUNES_93,
        origins: &[
            (Origin::French, 380),
            (Origin::NorthAfrican, 260),
            (Origin::WestAfrican, 220),
            (Origin::Portuguese, 60),
            (Origin::Antillean, 50),
            (Origin::Comorian, 30),
        ],
    },
    Departement {
        code: "59",
        of_name: "du Nord",
        police: "Sûreté départementale du Nord",
        gendarmerie: "Section de recherches de Lille",
        customs: "Direction régionale des douanes de Lille",
        court: "Lille",
        court_code: "LILLE",
        weight: 15,
        communes: COMMUNES_59,
        origins: &[
            (Origin::French, 600),
            (Origin::NorthAfrican, 250),
            (Origin::Portuguese, 70),
            (Origin::WestAfrican, 60),
            (Origin::Antillean, 20),
        ],
    },
    Departement {
        code: "69",
        of_name: "du Rhône",
        police: "Sûreté départementale du Rhône",
        gendarmerie: "Section de recherches de Lyon",
        customs: "Direction régionale des douanes de Lyon",
        court: "Lyon",
        court_code: "LYON",
        weight: 12,
        communes: COMMUNES_69,
        origins: &[
            (Origin::French, 500),
            (Origin::NorthAfrican, 270),
            (Origin::Portuguese, 90),
            (Origin::WestAfrican, 90),
            (Origin::Comorian, 30),
            (Origin::Antillean, 20),
        ],
    },
    Departement {
        code: "971",
        of_name: "de la Guadeloupe",
        police: "Sûreté départementale de la Guadeloupe",
        gendarmerie: "Section de recherches de Pointe-à-Pitre",
        customs: "Direction régionale des douanes de Guadeloupe",
        court: "Pointe-à-Pitre",
        court_code: "POINTE-A-PITRE",
        weight: 8,
        communes: COMMUNES_971,
        origins: &[
            (Origin::Antillean, 820),
            (Origin::French, 130),
            (Origin::NorthAfrican, 50),
        ],
    },
];

/// Départements covered by OFAST's Marseille antenna.
const ANTENNA_MARSEILLE: [&str; 6] = ["04", "05", "06", "13", "83", "84"];
/// Départements covered by OFAST's Lille antenna.
const ANTENNA_LILLE: [&str; 2] = ["59", "62"];
/// Ressort of the JIRS of Marseille: cours d'appel of Aix-en-Provence, Bastia, Montpellier, Nîmes.
const JIRS_MARSEILLE: [&str; 14] = [
    "04", "06", "13", "83", "2A", "2B", "11", "12", "34", "66", "07", "30", "48", "84",
];
/// Ressort of the JIRS of Paris: cours d'appel of Paris and Versailles.
const JIRS_PARIS: [&str; 10] = ["75", "77", "89", "91", "93", "94", "28", "78", "92", "95"];

/// Indexes (into `Org::units`) of a département's operational units.
pub(crate) struct DeptUnits {
    pub police: usize,
    pub gendarmerie: usize,
    pub customs: usize,
    pub cross: usize,
    /// The OFAST antenna covering the département, if any.
    pub antenna: Option<usize>,
    /// The JIRS whose ressort includes the département, if any.
    pub jirs: Option<usize>,
}

/// The generated organisation and the look-ups the world generator needs.
pub(crate) struct Org {
    pub units: Vec<Unit>,
    pub accounts: Vec<DemoAccount>,
    /// Aligned with `DEPARTEMENTS`.
    pub depts: Vec<DeptUnits>,
    pub ofast: usize,
    /// For each unit (same index), the accounts that record intelligence there.
    pub recorders: Vec<Vec<AccountId>>,
}

impl Org {
    pub(crate) fn unit(&self, index: usize) -> Option<&Unit> {
        self.units.get(index)
    }
}

struct OrgBuilder {
    dice: Dice,
    units: Vec<Unit>,
}

impl OrgBuilder {
    fn add(
        &mut self,
        code: &str,
        name: &str,
        kind: UnitKind,
        territory: Territory,
        parent: Option<usize>,
    ) -> usize {
        let parent = parent
            .and_then(|index| self.units.get(index))
            .map(|unit| unit.id);
        self.units.push(Unit {
            id: UnitId(self.dice.uuid()),
            code: code.to_owned(),
            name: name.to_owned(),
            kind,
            territory,
            parent,
        });
        self.units.len() - 1
    }
}

/// The accounts the README prints: (username, display name, role, unit code).
pub(crate) static NAMED_ACCOUNTS: [(&str, &str, Role, &str); 12] = [
    ("agent.marseille", "Sophie Marchetti", Role::Agent, "SD-13"),
    ("agent.gendarmerie", "Thomas Lebreton", Role::Agent, "SR-13"),
    ("agent.douane", "Nadia Benhamou", Role::Agent, "DOUANE-13"),
    ("agent.paris", "Antoine Delmas", Role::Agent, "SD-75"),
    (
        "analyste.cross13",
        "Camille Roussel",
        Role::CrossAnalyst,
        "CROSS-13",
    ),
    (
        "analyste.ofast",
        "Élodie Vasseur",
        Role::OfastAnalyst,
        "OFAST",
    ),
    (
        "chef.marseille",
        "Patrick Orsini",
        Role::HeadOfUnit,
        "SD-13",
    ),
    (
        "magistrat.jirs",
        "Hélène Castel",
        Role::Magistrate,
        "JIRS-MARSEILLE",
    ),
    ("auditeur", "Bernard Lemoine", Role::Auditor, "IGPN"),
    ("inspection", "Isabelle Fabre", Role::Inspection, "IGPN"),
    ("admin", "Louis Garnier", Role::Administrator, "ADMIN-VIGIE"),
    (
        "partenaire.bailleur",
        "Marc Pellegrin",
        Role::Partner,
        "BAILLEUR-13-HABITAT",
    ),
];

/// Builds the units and accounts. `seed` only decides the ids.
pub(crate) fn build(seed: u64) -> Org {
    let mut builder = OrgBuilder {
        dice: Dice::new(seed, 1),
        units: Vec::new(),
    };
    let ofast = builder.add(
        "OFAST",
        "Office anti-stupéfiants",
        UnitKind::Ofast,
        Territory::national(),
        None,
    );
    let antenna_marseille = builder.add(
        "OFAST-MARSEILLE",
        "Antenne OFAST de Marseille",
        UnitKind::OfastAntenna,
        Territory::departements(ANTENNA_MARSEILLE),
        Some(ofast),
    );
    let antenna_lille = builder.add(
        "OFAST-LILLE",
        "Antenne OFAST de Lille",
        UnitKind::OfastAntenna,
        Territory::departements(ANTENNA_LILLE),
        Some(ofast),
    );

    let mut depts = Vec::with_capacity(DEPARTEMENTS.len());
    for dept in &DEPARTEMENTS {
        let code = dept.code;
        let here = || Territory::departements([code]);
        let cross = builder.add(
            &format!("CROSS-{code}"),
            &format!("CROSS {}", dept.of_name),
            UnitKind::Cross,
            here(),
            None,
        );
        let police = builder.add(
            &format!("SD-{code}"),
            dept.police,
            UnitKind::Police,
            here(),
            None,
        );
        let gendarmerie = builder.add(
            &format!("SR-{code}"),
            dept.gendarmerie,
            UnitKind::Gendarmerie,
            here(),
            None,
        );
        let customs = builder.add(
            &format!("DOUANE-{code}"),
            dept.customs,
            UnitKind::Customs,
            here(),
            None,
        );
        builder.add(
            &format!("PARQUET-{}", dept.court_code),
            &format!("Parquet du tribunal judiciaire de {}", dept.court),
            UnitKind::Parquet,
            here(),
            None,
        );
        let antenna = if ANTENNA_MARSEILLE.contains(&code) {
            Some(antenna_marseille)
        } else if ANTENNA_LILLE.contains(&code) {
            Some(antenna_lille)
        } else {
            None
        };
        depts.push(DeptUnits {
            police,
            gendarmerie,
            customs,
            cross,
            antenna,
            jirs: None,
        });
    }

    let jirs_marseille = builder.add(
        "JIRS-MARSEILLE",
        "JIRS de Marseille (juridiction interrégionale spécialisée)",
        UnitKind::Jirs,
        Territory::departements(JIRS_MARSEILLE),
        None,
    );
    let jirs_paris = builder.add(
        "JIRS-PARIS",
        "JIRS de Paris (juridiction interrégionale spécialisée)",
        UnitKind::Jirs,
        Territory::departements(JIRS_PARIS),
        None,
    );
    for (dept, units) in DEPARTEMENTS.iter().zip(depts.iter_mut()) {
        units.jirs = if JIRS_MARSEILLE.contains(&dept.code) {
            Some(jirs_marseille)
        } else if JIRS_PARIS.contains(&dept.code) {
            Some(jirs_paris)
        } else {
            None
        };
    }

    builder.add(
        "IGPN",
        "Inspection générale de la police nationale",
        UnitKind::Inspection,
        Territory::national(),
        None,
    );
    builder.add(
        "ADMIN-VIGIE",
        "Administration de Vigie",
        UnitKind::Administration,
        Territory::national(),
        None,
    );
    builder.add(
        "BAILLEUR-13-HABITAT",
        "Habitat Provence Méditerranée (bailleur social)",
        UnitKind::Partner,
        Territory::departements(["13"]),
        None,
    );

    let (accounts, recorders) = accounts(&mut builder.dice, &builder.units);
    Org {
        units: builder.units,
        accounts,
        depts,
        ofast,
        recorders,
    }
}

/// The named accounts, then one more for every unit that records intelligence or holds magistrates and
/// has none yet (`agent.sd-93`, `analyste.cross-75`, `magistrat.parquet-lille`...).
fn accounts(dice: &mut Dice, units: &[Unit]) -> (Vec<DemoAccount>, Vec<Vec<AccountId>>) {
    let mut accounts: Vec<DemoAccount> = Vec::new();
    let push = |accounts: &mut Vec<DemoAccount>,
                dice: &mut Dice,
                username: String,
                display_name: String,
                role: Role,
                unit: UnitId| {
        accounts.push(DemoAccount {
            account: Account {
                id: AccountId(dice.uuid()),
                username,
                display_name,
                role,
                unit,
                disabled: false,
            },
            password: DEMO_PASSWORD.to_owned(),
        });
    };
    for (username, display_name, role, unit_code) in &NAMED_ACCOUNTS {
        if let Some(unit) = units.iter().find(|unit| unit.code == *unit_code) {
            push(
                &mut accounts,
                dice,
                (*username).to_owned(),
                (*display_name).to_owned(),
                *role,
                unit.id,
            );
        }
    }
    let mut extra = 0usize;
    for unit in units {
        let (prefix, role) = match unit.kind {
            UnitKind::Police | UnitKind::Gendarmerie | UnitKind::Customs => ("agent", Role::Agent),
            UnitKind::Cross => ("analyste", Role::CrossAnalyst),
            UnitKind::Ofast | UnitKind::OfastAntenna => ("analyste", Role::OfastAnalyst),
            UnitKind::Parquet | UnitKind::Jirs => ("magistrat", Role::Magistrate),
            UnitKind::Inspection | UnitKind::Administration | UnitKind::Partner => continue,
        };
        if accounts.iter().any(|demo| demo.account.unit == unit.id) {
            continue;
        }
        let first = STAFF_FIRST_NAMES
            .get(extra % STAFF_FIRST_NAMES.len())
            .copied()
            .unwrap_or("Claire");
        let last = STAFF_SURNAMES
            .get(extra % STAFF_SURNAMES.len())
            .copied()
            .unwrap_or("Aubert");
        extra += 1;
        push(
            &mut accounts,
            dice,
            format!("{prefix}.{}", unit.code.to_lowercase()),
            format!("{first} {last}"),
            role,
            unit.id,
        );
    }
    let recorders = units
        .iter()
        .map(|unit| {
            accounts
                .iter()
                .filter(|demo| demo.account.unit == unit.id)
                .filter(|demo| {
                    matches!(
                        demo.account.role,
                        Role::Agent | Role::CrossAnalyst | Role::OfastAnalyst | Role::HeadOfUnit
                    )
                })
                .map(|demo| demo.account.id)
                .collect()
        })
        .collect();
    (accounts, recorders)
}
