//! Synthetic residents' reports of drug dealing, in French, as people write them in the public
//! form: what they saw (a category), where in words (« Devant le hall C de la résidence Les
//! Tilleuls »), when (days, time slots, since when), a description of one to three sentences,
//! how many people, and sometimes a vehicle. Also the names of dealing points as analysts label
//! them (« Hall C, résidence Les Tilleuls »). For the demo (`vigie serve --demo`), the tests and
//! the reports benchmark.
//!
//! Sentences are drawn from lists in the residents' voice (guetteurs, vendeurs, files de clients,
//! scooters, « ça crie « ara » », cages d'escalier, parkings, hours, products and the prices seen,
//! « 10 € la barrette »). Estates and streets are made of common nouns (« des Lilas », « du
//! Moulin »): no person's name appears, real or not, and no plate. The generator does not place a
//! report on the map: the caller picks the commune and the pin (the engine, with real geography),
//! then [`SynthReport::draft`] gives a draft that passes `ReportDraft::validate` (a test holds it
//! to that).
//!
//! Deterministic: report `i` depends only on the seed, `i` and the list of départements (each
//! report draws from its own stretch of one ChaCha8 stream), so the first reports do not depend on
//! how many are asked for. Online sales are never drawn: they are reported on PHAROS.

use std::fmt::Write as _;

use vigie_reports::{Category, Pin, ReportDraft, Since, TimeSlot, Weekday};

use crate::dice::Dice;
use crate::lists::{
    BUILDINGS, COLORS, ESTATE_NAMES, ESTATE_NAMES_971, STREET_TYPES, VEHICLE_MODELS,
};
use crate::units::DEPARTEMENTS;

/// The stream reports are drawn from.
const REPORT_STREAM: u64 = 12_000;
/// The stream point labels are drawn from.
const LABEL_STREAM: u64 = 12_001;
/// Report `i` draws from word `i << REPORT_SHIFT` of the stream (a report needs a few dozen).
const REPORT_SHIFT: u32 = 12;

/// The codes of the demo départements (13, 75, 93, 59, 69, 971), in the order of the generator.
pub fn demo_departements() -> Vec<&'static str> {
    DEPARTEMENTS
        .iter()
        .map(|departement| departement.code)
        .collect()
}

/// A resident's report, before it is placed: the caller chooses its commune and pin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthReport {
    /// One of the départements asked for ("" when none was).
    pub departement: String,
    pub category: Category,
    /// The place in words: « Devant le hall C de la résidence Les Tilleuls ».
    pub place: String,
    pub days: Vec<Weekday>,
    pub slots: Vec<TimeSlot>,
    pub since: Since,
    /// One to three sentences.
    pub description: String,
    pub people: Option<u16>,
    /// A vehicle seen, or "".
    pub vehicles: String,
}

impl SynthReport {
    /// The draft a resident would send from `commune` (an INSEE code) and/or `pin`. With at least
    /// one of them it passes `ReportDraft::validate`.
    pub fn draft(&self, commune: Option<&str>, pin: Option<Pin>) -> ReportDraft {
        ReportDraft {
            category: self.category,
            commune: commune.map(str::to_owned),
            place: self.place.clone(),
            pin,
            days: self.days.clone(),
            slots: self.slots.clone(),
            since: self.since,
            description: self.description.clone(),
            people: self.people,
            vehicles: self.vehicles.clone(),
        }
    }
}

/// `n` reports spread over `departements` in turn (report `i` is about `departements[i % len]`).
/// Deterministic for (seed, departements); report `i` does not depend on `n`.
pub fn reports(seed: u64, n: usize, departements: &[&str]) -> Vec<SynthReport> {
    let mut dice = Dice::new(seed, REPORT_STREAM);
    (0..n)
        .map(|index| {
            dice.seek((index as u128) << REPORT_SHIFT);
            let departement = departements
                .get(index % departements.len().max(1))
                .copied()
                .unwrap_or("");
            report(&mut dice, departement)
        })
        .collect()
}

/// The label of dealing point `index` of a département, as an analyst names it (« Hall C,
/// résidence Les Tilleuls », « Parking du 14 rue des Lilas »). Deterministic for (seed,
/// departement, index).
pub fn point_label(seed: u64, departement: &str, index: usize) -> String {
    let mut dice = Dice::new(seed, LABEL_STREAM);
    let salt = departement
        .bytes()
        .fold(0u128, |acc, byte| acc * 131 + u128::from(byte));
    dice.seek((salt << 24) + ((index as u128) << 6));
    let estate = estate(&mut dice, departement);
    let building = dice.pick(BUILDINGS);
    match dice.below(6) {
        0 => format!("Hall {building}, {}", estate.name()),
        1 => format!("Parking, {}", estate.name()),
        2 => format!("Cage d'escalier {building}, {}", estate.name()),
        3 => {
            let (number, street) = street(&mut dice);
            format!("Devant le {number} {street}")
        }
        4 => format!("City stade, {}", estate.name()),
        _ => format!("Tour {building}, {}", estate.name()),
    }
}

/// Where people live, as residents name it: « résidence Les Tilleuls », « cité des Lauriers ».
struct Estate {
    kind: EstateKind,
    noun: &'static str,
}

#[derive(Clone, Copy)]
enum EstateKind {
    Residence,
    Cite,
    Quartier,
}

impl Estate {
    /// « résidence Les Tilleuls », « cité des Tilleuls », « quartier des Tilleuls ».
    fn name(&self) -> String {
        match self.kind {
            EstateKind::Residence => format!("résidence Les {}", self.noun),
            EstateKind::Cite => format!("cité des {}", self.noun),
            EstateKind::Quartier => format!("quartier des {}", self.noun),
        }
    }

    /// « de la résidence Les Tilleuls », « de la cité des Tilleuls », « du quartier des Tilleuls ».
    fn of_name(&self) -> String {
        match self.kind {
            EstateKind::Quartier => format!("du {}", self.name()),
            _ => format!("de la {}", self.name()),
        }
    }
}

fn estate(dice: &mut Dice, departement: &str) -> Estate {
    let nouns = if departement == "971" {
        ESTATE_NAMES_971
    } else {
        ESTATE_NAMES
    };
    let kind = match dice.below(10) {
        0..=4 => EstateKind::Residence,
        5..=8 => EstateKind::Cite,
        _ => EstateKind::Quartier,
    };
    Estate {
        kind,
        noun: dice.pick(nouns),
    }
}

/// Street names made of common nouns only (no person's name).
static STREETS: &[&str] = &[
    "des Lilas",
    "du Moulin",
    "des Écoles",
    "de la Gare",
    "du Stade",
    "des Tisserands",
    "des Vignes",
    "de la Fontaine",
    "des Acacias",
    "de la Liberté",
    "des Peupliers",
    "des Roses",
    "du Marché",
    "des Jardins",
    "du Château",
    "des Prés",
    "du Four",
    "des Mûriers",
    "de la Poste",
    "du Canal",
    "de la Source",
    "des Cerisiers",
    "des Tanneurs",
    "du Levant",
    "des Pêcheurs",
    "de la Forge",
    "du Pont",
    "des Artisans",
    "du Parc",
    "des Sablons",
    "des Platanes",
];

/// A house number and a street: (« 14 », « rue des Lilas »).
fn street(dice: &mut Dice) -> (u32, String) {
    let number = dice.range(1, 120);
    (
        number,
        format!("{} {}", dice.pick(STREET_TYPES), dice.pick(STREETS)),
    )
}

const CATEGORIES: &[(Category, u32)] = &[
    (Category::FixedSale, 50),
    (Category::Lookouts, 14),
    (Category::Stash, 8),
    (Category::Delivery, 7),
    (Category::Vehicle, 8),
    (Category::MovedAfterOperation, 8),
    (Category::Other, 5),
];

const SINCE: &[(Since, u32)] = &[
    (Since::Days, 10),
    (Since::Weeks, 30),
    (Since::Months, 35),
    (Since::Years, 15),
    (Since::Unknown, 10),
];

/// What residents hear the lookouts shout.
static CRIES: &[&str] = &["ara", "arah", "22", "ça monte", "les bleus"];

/// A product and how its price is said: (product, « 10 € la barrette » choices).
static PRICES: &[(&str, &[&str])] = &[
    (
        "de la résine",
        &["10 € la barrette", "20 € la barrette", "10 € le bout"],
    ),
    (
        "de l'herbe",
        &["10 € le pochon", "20 € le pochon", "10 € le gramme"],
    ),
    (
        "de la cocaïne",
        &["60 € le gramme", "70 € le gramme", "50 € la boulette"],
    ),
];

static HOURS: &[&str] = &[
    "de 11 h à 23 h",
    "de 14 h jusqu'à 2 h du matin",
    "à partir de 16 h",
    "surtout entre 18 h et minuit",
    "du matin jusqu'à tard le soir",
    "toute la nuit",
];

/// Sentences of a fixed selling point. Slots: {bat}, {n}, {cri}, {produit}, {prix}, {heures},
/// {lieu} (the estate), {numero} {rue} (a street address).
static SALE: &[&str] = &[
    "Tous les jours, des jeunes vendent devant le hall {bat}, il y a du passage toute la journée.",
    "Il y a une file de clients dans la cage d'escalier du bâtiment {bat}, parfois {n} personnes qui attendent.",
    "Ça vend {produit}, {prix}, ils le disent ouvertement aux clients.",
    "Les vendeurs se mettent sur les chaises qu'ils ont installées dans le hall {bat}.",
    "Le point ouvre {heures}, avec des relèves.",
    "Les clients arrivent en voiture, se garent sur le parking et repartent cinq minutes après.",
    "On ne peut plus rentrer chez nous sans passer devant les vendeurs.",
    "Des clients viennent de loin, on voit des plaques d'autres départements.",
    "Ils ont cassé la porte du hall {bat} pour qu'elle reste ouverte.",
    "Le soir il y a du monde en bas de l'immeuble, ça crie et ça fait du bruit jusqu'à tard.",
    "Un jeune m'a proposé {produit} en bas de chez moi, {prix}.",
    "Ils sont {n} en général, ils vendent {produit} et parfois d'autres choses.",
    "On entend les prix annoncés aux clients : {prix}.",
    "Les ventes se font dans la cage d'escalier, les clients montent et redescendent aussitôt.",
    "Le mercredi après-midi il y a encore plus de clients, même des collégiens.",
];

/// Sentences about lookouts.
static LOOKOUTS: &[&str] = &[
    "Des guetteurs sont postés à l'entrée {lieu}, ça crie « {cri} » dès qu'une voiture de police arrive.",
    "Il y a {n} guetteurs sur des chaises au coin de la rue, certains ont l'air d'avoir 14 ou 15 ans.",
    "Les guetteurs demandent aux habitants où ils vont quand on rentre dans la résidence.",
    "Un guetteur est en haut de la tour {bat} avec un talkie-walkie.",
    "Quand la police passe, ça crie « {cri} » et tout le monde part en courant.",
];

/// Sentences about a stash (« nourrice »).
static STASH: &[&str] = &[
    "Un appartement du bâtiment {bat} sert à cacher la marchandise, des sacs montent et descendent toute la journée.",
    "Des jeunes entrent dans la cave du bâtiment {bat} avec des sacs et ressortent sans.",
    "On a vu des paquets cachés dans le local poubelles du bâtiment {bat}.",
    "Une voisine garde des sacs chez elle, les vendeurs viennent les chercher plusieurs fois par jour.",
];

/// Sentences about home deliveries.
static DELIVERY: &[&str] = &[
    "Un livreur en scooter passe plusieurs fois par jour, il s'arrête deux minutes devant les portes et repart.",
    "Des scooters font des allers-retours sans arrêt dans la rue, même la nuit.",
    "Les commandes se font par téléphone, un jeune à vélo livre dans tout le quartier.",
];

/// Sentences about a vehicle.
static VEHICLE: &[&str] = &[
    "Une voiture se gare tous les soirs sur le parking, des jeunes viennent chercher quelque chose dans le coffre.",
    "Des scooters tournent autour de la résidence pour surveiller.",
    "Un véhicule reste garé moteur allumé pendant que le conducteur fait des échanges par la fenêtre.",
];

/// Sentences about a point that moved after an operation.
static MOVED: &[&str] = &[
    "Depuis l'opération de police du mois dernier, ils se sont installés ici, à 200 mètres de l'ancien point.",
    "Le point du bâtiment {bat} a été fermé par la police, mais les vendeurs sont revenus juste à côté, sur le parking.",
    "Après les contrôles, la vente s'est déplacée dans la cage d'escalier du bâtiment {bat}.",
];

/// Sentences that fit any report.
static ANY: &[&str] = &[
    "Ça dure {heures}.",
    "Mes enfants ont peur de passer par le hall {bat} pour aller à l'école.",
    "On a déjà appelé le commissariat mais rien n'a changé.",
    "Les habitants n'osent plus rien dire.",
    "Il y a des déchets, des emballages et des mégots partout dans l'escalier.",
    "Je peux voir tout ça depuis ma fenêtre.",
    "Le gardien est au courant mais il ne peut rien faire.",
    "C'est pire le week-end.",
    "Ça crie « {cri} » toute la soirée, on ne peut pas dormir.",
    "Les ascenseurs sont bloqués exprès et la lumière du hall {bat} est cassée.",
    "Des clients urinent dans le parking en attendant leur tour.",
    "Il y a souvent des bagarres entre eux le soir.",
    "Je signale parce que la situation empire depuis quelques semaines.",
];

fn report(dice: &mut Dice, departement: &str) -> SynthReport {
    let category = dice
        .weighted(CATEGORIES)
        .copied()
        .unwrap_or(Category::FixedSale);
    let estate = estate(dice, departement);
    let building = dice.pick(BUILDINGS);
    let place = place(dice, &estate, building);
    let main: &[&str] = match category {
        Category::FixedSale | Category::Other => SALE,
        Category::Lookouts => LOOKOUTS,
        Category::Stash => STASH,
        Category::Delivery => DELIVERY,
        Category::Vehicle => VEHICLE,
        Category::MovedAfterOperation => MOVED,
        Category::OnlineSale => SALE,
    };
    let (product, prices) = dice.pick_ref(PRICES).copied().unwrap_or(("", &[]));
    let price = dice.pick(prices);
    let people = dice.range(2, 15);
    let fill = Fill {
        building,
        people,
        cry: dice.pick(CRIES),
        product,
        price,
        hours: dice.pick(HOURS),
        estate: estate.of_name(),
    };
    let mut sentences: Vec<&str> = vec![dice.pick(main)];
    let extra = dice.below(3);
    for _ in 0..extra {
        let pool = match dice.below(3) {
            0 => ANY,
            1 => SALE,
            _ => main,
        };
        let sentence = dice.pick(pool);
        if !sentences.contains(&sentence) {
            sentences.push(sentence);
        }
    }
    let mut description = String::new();
    for sentence in sentences {
        if !description.is_empty() {
            description.push(' ');
        }
        fill.write(sentence, &mut description);
    }
    // « Tous les jours » for many; otherwise the days and slots the resident noticed.
    let days = if dice.chance(400) {
        Weekday::ALL.to_vec()
    } else {
        pick_some(dice, &Weekday::ALL, 300)
    };
    let slots = pick_some(dice, &TimeSlot::ALL, 450);
    let since = dice.weighted(SINCE).copied().unwrap_or_default();
    let people = dice.chance(800).then(|| u16::try_from(people).unwrap_or(2));
    let vehicles = if matches!(category, Category::Vehicle | Category::Delivery) || dice.chance(200)
    {
        vehicle(dice)
    } else {
        String::new()
    };
    SynthReport {
        departement: departement.to_owned(),
        category,
        place,
        days,
        slots,
        since,
        description,
        people,
        vehicles,
    }
}

/// The place in words.
fn place(dice: &mut Dice, estate: &Estate, building: &str) -> String {
    match dice.below(9) {
        0 | 1 => format!("Devant le hall {building} {}", estate.of_name()),
        2 => format!("Au pied du bâtiment {building}, {}", estate.name()),
        3 => format!("Parking {}, près des boxes", estate.of_name()),
        4 => format!("Cage d'escalier du bâtiment {building}, {}", estate.name()),
        5 => {
            let (number, street) = street(dice);
            format!("Devant le {number} {street}")
        }
        6 => {
            let (number, street) = street(dice);
            format!("Sous le porche du {number} {street}")
        }
        7 => format!("Près du city stade {}", estate.of_name()),
        _ => format!(
            "Entrée du parking souterrain {}, côté bâtiment {building}",
            estate.of_name()
        ),
    }
}

/// Each of `all` with probability `per_mille`, at least one.
fn pick_some<T: Copy>(dice: &mut Dice, all: &[T], per_mille: u32) -> Vec<T> {
    let mut some: Vec<T> = all
        .iter()
        .copied()
        .filter(|_| dice.chance(per_mille))
        .collect();
    if some.is_empty() {
        if let Some(one) = dice.pick_ref(all) {
            some.push(*one);
        }
    }
    some
}

/// A vehicle as a resident describes it (no plate).
fn vehicle(dice: &mut Dice) -> String {
    let (model, _) = dice
        .pick_ref(VEHICLE_MODELS)
        .copied()
        .unwrap_or(("Renault Clio", false));
    match dice.below(4) {
        0 => "Plusieurs scooters, souvent sans plaque".to_owned(),
        1 => format!("{model} (couleur : {}), vitres teintées", dice.pick(COLORS)),
        _ => format!("{model} (couleur : {})", dice.pick(COLORS)),
    }
}

/// The values of one report's slots.
struct Fill {
    building: &'static str,
    people: u32,
    cry: &'static str,
    product: &'static str,
    price: &'static str,
    hours: &'static str,
    estate: String,
}

impl Fill {
    /// Appends `template` with its slots filled. An unknown slot is written as is (a test checks
    /// that none is left).
    fn write(&self, template: &str, out: &mut String) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return;
            };
            let slot = &after[..close];
            match slot {
                "bat" => out.push_str(self.building),
                "n" => {
                    let _ = write!(out, "{}", self.people);
                }
                "cri" => out.push_str(self.cry),
                "produit" => out.push_str(self.product),
                "prix" => out.push_str(self.price),
                "heures" => out.push_str(self.hours),
                "lieu" => out.push_str(&self.estate),
                other => {
                    out.push('{');
                    out.push_str(other);
                    out.push('}');
                }
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const DEPS: &[&str] = &["13", "75", "93", "59", "69", "971"];

    #[test]
    fn deterministic_and_independent_of_the_count() {
        let a = reports(7, 300, DEPS);
        let b = reports(7, 300, DEPS);
        assert_eq!(a, b);
        let first = reports(7, 20, DEPS);
        assert_eq!(first[..], a[..20]);
        let other = reports(8, 300, DEPS);
        assert_ne!(a, other);
        assert_eq!(point_label(7, "13", 3), point_label(7, "13", 3));
        assert_ne!(
            (0..12).map(|i| point_label(7, "13", i)).collect::<Vec<_>>(),
            (0..12).map(|i| point_label(7, "93", i)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn valid_by_construction_once_placed() {
        let pin = Pin {
            lat: 43.3302,
            lon: 5.4143,
        };
        for (index, report) in reports(42, 2_000, DEPS).iter().enumerate() {
            assert_eq!(report.departement, DEPS[index % DEPS.len()]);
            assert_ne!(report.category, Category::OnlineSale);
            for draft in [
                report.draft(Some("13203"), None),
                report.draft(None, Some(pin)),
                report.draft(Some("13203"), Some(pin)),
            ] {
                assert_eq!(draft.validate(), Ok(()), "{index}: {draft:?}");
            }
            assert!(!report.description.contains(['{', '}']), "{report:?}");
            assert!(!report.place.contains(['{', '}']), "{report:?}");
            let sentences = report.description.matches(['.', '!', '?']).count();
            assert!((1..=3).contains(&sentences), "{}", report.description);
            assert!(!report.days.is_empty() && !report.slots.is_empty());
        }
        for departement in DEPS {
            for index in 0..50 {
                let label = point_label(1, departement, index);
                assert!(
                    vigie_reports::point::validate_label(&label).is_ok(),
                    "{label}"
                );
            }
        }
    }

    #[test]
    fn texts_vary_and_name_no_one() {
        let all = reports(42, 1_000, DEPS);
        let descriptions: BTreeSet<&str> = all.iter().map(|r| r.description.as_str()).collect();
        // Short reports repeat (« Des scooters tournent autour de la résidence pour surveiller. »).
        assert!(descriptions.len() > 650, "{}", descriptions.len());
        let places: BTreeSet<&str> = all.iter().map(|r| r.place.as_str()).collect();
        assert!(places.len() > 500, "{}", places.len());
        let categories: BTreeSet<&str> = all.iter().map(|r| r.category.as_str()).collect();
        assert!(categories.len() >= 6, "{categories:?}");
        let text: String = all
            .iter()
            .map(|r| format!("{} {} {}", r.place, r.description, r.vehicles))
            .collect();
        for word in [
            "guetteur",
            "barrette",
            "scooter",
            "« ara »",
            "hall",
            "parking",
        ] {
            assert!(text.contains(word), "{word}");
        }
        // Streets of common nouns only: none of the person-named streets of the world lists.
        for name in ["Victor-Hugo", "Jean-Moulin", "Pasteur", "Gambetta", "Zola"] {
            assert!(!text.contains(name), "{name}");
        }
        assert!(all.iter().filter(|r| r.people.is_some()).count() > 600);
        assert!(all.iter().filter(|r| !r.vehicles.is_empty()).count() > 100);
        assert_eq!(reports(1, 3, &[]).len(), 3);
    }

    #[test]
    fn demo_departements_are_the_units() {
        assert_eq!(demo_departements(), DEPS);
    }
}
