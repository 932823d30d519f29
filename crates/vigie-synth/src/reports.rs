//! Synthetic residents' reports of drug dealing, in French, as people write them in the public
//! form: what they saw (a category), where in words (« Devant le hall C de la résidence Les
//! Tilleuls »), when (days, time slots, since when), a description of one to three sentences,
//! how many people, and sometimes a vehicle. Also the names of dealing points as analysts label
//! them (« Hall C, résidence Les Tilleuls », and for the demo's national map town-centre places
//! too), the prices seen there (products and street prices by region), the notes of police
//! operations and the motivations of a point's moves. For the demo (`vigie serve --demo`), the
//! tests and the reports benchmark.
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

use vigie_reports::{
    Category, OperationKind, Pin, PointStatus, ReportDraft, Since, TimeSlot, Weekday,
};

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

/// The stream the national map's point labels are drawn from.
const NATIONAL_LABEL_STREAM: u64 = 12_002;
/// The stream prices seen at points are drawn from.
const PRICE_STREAM: u64 = 12_003;

/// Dice at the stretch of `stream` that belongs to draw `index` of `departement` (64 words each).
fn dice_at(seed: u64, stream: u64, departement: &str, index: usize) -> Dice {
    let mut dice = Dice::new(seed, stream);
    let salt = departement
        .bytes()
        .fold(0u128, |acc, byte| acc * 131 + u128::from(byte));
    dice.seek((salt << 32) + ((index as u128) << 6));
    dice
}

/// Squares, parks and the like, before a street name of common nouns (« Place du Marché »).
static OPEN_PLACES: &[&str] = &["Square", "Place", "Jardin", "Esplanade", "Parc"];

/// The label of point `index` of a département on the demo's national map: the estates' halls,
/// parkings and towers of [`point_label`], and also the town-centre places where dealing
/// happens (station surroundings, squares, shopping-centre car parks, bus stops). Deterministic
/// for (seed, departement, index).
pub fn national_point_label(seed: u64, departement: &str, index: usize) -> String {
    let mut dice = dice_at(seed, NATIONAL_LABEL_STREAM, departement, index);
    let estate = estate(&mut dice, departement);
    let building = dice.pick(BUILDINGS);
    match dice.below(16) {
        0 | 1 => format!("Hall {building}, {}", estate.name()),
        2 => format!("Parking, {}", estate.name()),
        3 => format!("Cage d'escalier {building}, {}", estate.name()),
        4 | 5 => {
            let (number, street) = street(&mut dice);
            format!("Devant le {number} {street}")
        }
        6 => format!("City stade, {}", estate.name()),
        7 => format!("Tour {building}, {}", estate.name()),
        8 => {
            let (number, street) = street(&mut dice);
            format!("Sous le porche du {number} {street}")
        }
        9 => format!("{} {}", dice.pick(OPEN_PLACES), dice.pick(STREETS)),
        10 => format!("Parking du centre commercial Les {}", estate.noun),
        11 => format!(
            "Arrêt de bus, {} {}",
            dice.pick(STREET_TYPES),
            dice.pick(STREETS)
        ),
        12 => format!("Coursive du bâtiment {building}, {}", estate.name()),
        13 => "Abords de la gare".to_owned(),
        14 => format!("Local vélos du bâtiment {building}, {}", estate.name()),
        _ => format!("Galerie commerçante, {}", estate.name()),
    }
}

/// A price seen at a dealing point, as a patrol or an investigation notes it.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthPrice {
    /// « résine de cannabis », « cocaïne », « crack »...
    pub product: &'static str,
    /// « g », « barrette », « pochon », « galette »...
    pub unit: &'static str,
    pub price_eur: f64,
}

/// A product, the unit its price is said in, and the street price range in euros with its step
/// (France, mid 2020s: about 10 € the gram of resin or grass, 10 or 20 € a bar or a bag, 60 to
/// 80 € the gram of cocaine, 10 to 25 € a rock of crack).
struct ProductPrice {
    product: &'static str,
    unit: &'static str,
    low: u32,
    high: u32,
    step: u32,
}

const fn product(
    product: &'static str,
    unit: &'static str,
    low: u32,
    high: u32,
    step: u32,
) -> ProductPrice {
    ProductPrice {
        product,
        unit,
        low,
        high,
        step,
    }
}

const RESIN_BAR: ProductPrice = product("résine de cannabis", "barrette", 10, 20, 5);
const RESIN_GRAM: ProductPrice = product("résine de cannabis", "g", 7, 12, 1);
const GRASS_BAG: ProductPrice = product("herbe de cannabis", "pochon", 10, 20, 5);
const GRASS_GRAM: ProductPrice = product("herbe de cannabis", "g", 8, 13, 1);
const COCAINE_GRAM: ProductPrice = product("cocaïne", "g", 60, 80, 5);
const COCAINE_BALL: ProductPrice = product("cocaïne", "boulette", 20, 30, 5);
const CRACK_ROCK: ProductPrice = product("crack", "galette", 15, 25, 5);
const CRACK_STONE: ProductPrice = product("crack", "caillou", 10, 15, 5);
const HEROIN_GRAM: ProductPrice = product("héroïne", "g", 30, 45, 5);
const MDMA_GRAM: ProductPrice = product("MDMA", "g", 40, 60, 5);
const MDMA_PILL: ProductPrice = product("MDMA", "cachet", 5, 10, 5);
const KETAMINE_GRAM: ProductPrice = product("kétamine", "g", 30, 45, 5);

/// Where crack is sold in the street: Paris and its inner suburbs, Marseille, the Antilles and
/// French Guiana.
const CRACK_DEPARTEMENTS: &[&str] = &["75", "93", "94", "95", "92", "13", "971", "972", "973"];
/// Where heroin is more common: the north and the east.
const HEROIN_DEPARTEMENTS: &[&str] = &[
    "59", "62", "02", "08", "80", "51", "10", "52", "54", "55", "57", "67", "68", "88", "25", "70",
    "90",
];

/// What is sold in `departement`, with weights.
fn products_of(departement: &str) -> Vec<(&'static ProductPrice, u32)> {
    let crack = if CRACK_DEPARTEMENTS.contains(&departement) {
        10
    } else {
        0
    };
    let heroin = if HEROIN_DEPARTEMENTS.contains(&departement) {
        10
    } else {
        2
    };
    vec![
        (&RESIN_BAR, 22),
        (&RESIN_GRAM, 10),
        (&GRASS_BAG, 14),
        (&GRASS_GRAM, 10),
        (&COCAINE_GRAM, 18),
        (&COCAINE_BALL, 6),
        (&CRACK_ROCK, crack),
        (&CRACK_STONE, crack / 2),
        (&HEROIN_GRAM, heroin),
        (&MDMA_GRAM, 3),
        (&MDMA_PILL, 3),
        (&KETAMINE_GRAM, 2),
    ]
}

/// One to three prices seen at point `index` of `departement`, of different products, drawn
/// with the products of the département (crack around Paris, in Marseille and overseas, more
/// heroin in the north and the east). Prices in whole euros, by the product's step (bars and bags
/// at 10, 15 or 20 €). Deterministic for (seed, departement, index).
pub fn point_prices(seed: u64, departement: &str, index: usize) -> Vec<SynthPrice> {
    let mut dice = dice_at(seed, PRICE_STREAM, departement, index);
    let products = products_of(departement);
    let wanted = match dice.below(10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    let mut prices: Vec<SynthPrice> = Vec::new();
    for _ in 0..wanted * 2 {
        if prices.len() >= wanted {
            break;
        }
        let Some(chosen) = dice.weighted(&products) else {
            break;
        };
        if prices.iter().any(|price| price.product == chosen.product) {
            continue;
        }
        let step = chosen.step.max(1);
        let euros = chosen.low + step * dice.range(0, (chosen.high - chosen.low) / step);
        prices.push(SynthPrice {
            product: chosen.product,
            unit: chosen.unit,
            price_eur: f64::from(euros),
        });
    }
    prices
}

static HARASSMENT_NOTES: &[&str] = &[
    "Opération de harcèlement : présence policière quotidienne pendant trois semaines",
    "Opération « place nette » : contrôles d'identité et fouille des parties communes",
    "Passages répétés de la BAC avec le renfort d'une compagnie de CRS",
    "Contrôles des clients aux abords, amendes forfaitaires délictuelles pour usage",
    "Occupation du hall par les forces de l'ordre, vidéoprotection installée avec le bailleur",
];

static ARREST_NOTES: &[&str] = &[
    "Interpellation de trois vendeurs et d'un guetteur",
    "Interpellation du gérant du point et de deux vendeurs, déférés au parquet",
    "Interpellations au pied de la tour, saisie de la caisse du jour",
    "Coup de filet sur commission rogatoire : cinq interpellations, dont le ravitailleur",
    "Deux vendeurs interpellés en flagrant délit, placés en garde à vue",
];

static SEIZURE_NOTES: &[&str] = &[
    "Saisie de 2 kg de résine et de 4 000 € en espèces dans une cave",
    "Découverte d'une nourrice : 800 g de cocaïne et une arme de poing saisis",
    "Saisie de résine, d'herbe et de balances de précision dans le local poubelles",
    "Saisie de 15 000 € en espèces et de deux scooters",
    "Saisie de 300 g d'herbe et de 50 g de cocaïne conditionnés pour la vente",
];

/// The note of an operation of `kind` (`draw` picks among a few, `Other` has none).
pub fn operation_note(kind: OperationKind, draw: u64) -> &'static str {
    let notes = match kind {
        OperationKind::Harassment => HARASSMENT_NOTES,
        OperationKind::Arrests => ARREST_NOTES,
        OperationKind::Seizure => SEIZURE_NOTES,
        OperationKind::Other => return "",
    };
    let index = usize::try_from(draw % notes.len() as u64).unwrap_or(0);
    notes.get(index).copied().unwrap_or("")
}

/// Why a point moved from `from` to `to`, as an analyst motivates it (non-empty for every move
/// the lifecycle allows). `draw` picks among a few.
pub fn point_motivation(from: PointStatus, to: PointStatus, draw: u64) -> &'static str {
    use PointStatus::*;
    let choices: &[&str] = match (from, to) {
        (_, Confirmed) => &[
            "Vente constatée lors d'une surveillance de la BAC",
            "Transactions observées depuis un véhicule banalisé",
            "Recoupement des signalements et des constatations de la police municipale",
            "Transactions filmées par la vidéoprotection de la ville",
        ],
        (Resurgent, Active) => &[
            "Le point a retrouvé son activité d'avant l'opération",
            "Relèves et guetteurs de nouveau en place tous les jours",
        ],
        (_, Active) => &[
            "Activité quotidienne, file de clients et guetteurs en place",
            "Point ouvert tous les jours, relèves organisées",
            "Hausse du nombre de clients constatée lors des dernières patrouilles",
        ],
        (_, Dismantled) => &[
            "Point démantelé après l'opération",
            "Plus aucune vente constatée après les interpellations",
            "Réseau démantelé, lieu de stockage fermé",
        ],
        (_, UnderWatch) => &[
            "Lieu reconquis, surveillance renforcée avec le bailleur",
            "Hall sécurisé par le bailleur, patrouilles régulières",
            "Caméras installées, passages quotidiens de la police municipale",
        ],
        (_, Resurgent) => &[
            "Les vendeurs sont revenus quelques semaines après l'opération",
            "Reprise de la vente constatée par la BAC",
            "Nouveaux signalements concordants, guetteurs de retour",
        ],
        (Reported, Closed) => &[
            "Signalement non confirmé après plusieurs surveillances",
            "Aucune vente constatée, il s'agissait d'un lieu de rassemblement",
        ],
        (Confirmed | Active | Resurgent, Closed) => &[
            "Bâtiment démoli dans le cadre de la rénovation urbaine",
            "Commerce fermé par arrêté préfectoral, plus d'activité",
        ],
        (_, Closed) => &[
            "Aucune activité constatée depuis six mois",
            "Lieu réaménagé, plus de vente constatée",
        ],
        (_, Reported) => &["Nouveau signalement"],
    };
    let index = usize::try_from(draw % choices.len() as u64).unwrap_or(0);
    choices
        .get(index)
        .copied()
        .unwrap_or("Changement constaté sur le terrain")
}

/// Why the dealing of a point moved to another after an operation. `draw` picks among a few.
pub fn displacement_motivation(draw: u64) -> &'static str {
    const CHOICES: &[&str] = &[
        "Le trafic s'est reporté sur le point voisin après l'opération",
        "Les vendeurs se sont réinstallés quelques rues plus loin",
        "Report de la clientèle constaté par la BAC après la fermeture du hall",
    ];
    let index = usize::try_from(draw % CHOICES.len() as u64).unwrap_or(0);
    CHOICES.get(index).copied().unwrap_or(CHOICES[0])
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
    // The overseas départements get the tropical names (the demo's 971, the national map's others).
    let nouns = if departement.starts_with("97") {
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
    fn national_labels_prices_and_notes_are_valid_and_vary() {
        let departements = ["13", "75", "2A", "59", "974", "976", "48"];
        let mut labels = BTreeSet::new();
        for departement in departements {
            for index in 0..200 {
                let label = national_point_label(3, departement, index);
                assert!(
                    vigie_reports::point::validate_label(&label).is_ok(),
                    "{label}"
                );
                assert!(!label.contains(['{', '}']), "{label}");
                labels.insert(label);
            }
            assert_eq!(
                national_point_label(3, departement, 7),
                national_point_label(3, departement, 7)
            );
        }
        assert!(labels.len() > 900, "{}", labels.len());

        let mut products = BTreeSet::new();
        for departement in departements {
            for index in 0..300 {
                let prices = point_prices(3, departement, index);
                assert_eq!(prices, point_prices(3, departement, index));
                assert!((1..=3).contains(&prices.len()), "{prices:?}");
                let distinct: BTreeSet<&str> = prices.iter().map(|p| p.product).collect();
                assert_eq!(distinct.len(), prices.len(), "{prices:?}");
                for price in prices {
                    let seen = vigie_reports::PriceSeen {
                        product: price.product.to_owned(),
                        price_eur: Some(price.price_eur),
                        unit: price.unit.to_owned(),
                        seen_on: "2026-01-15".to_owned(),
                    };
                    assert_eq!(seen.validate(), Ok(()), "{seen:?}");
                    if price.product == "crack" {
                        assert!(CRACK_DEPARTEMENTS.contains(&departement), "{departement}");
                    }
                    products.insert(price.product);
                }
            }
        }
        for product in [
            "résine de cannabis",
            "herbe de cannabis",
            "cocaïne",
            "crack",
            "héroïne",
            "MDMA",
            "kétamine",
        ] {
            assert!(products.contains(product), "{product} in {products:?}");
        }

        for from in PointStatus::ALL {
            for to in PointStatus::ALL {
                if vigie_reports::point::can_move(from, to) {
                    for draw in 0..5 {
                        let motivation = point_motivation(from, to, draw);
                        assert!(
                            vigie_reports::point::check_transition(from, to, motivation).is_ok(),
                            "{from:?} -> {to:?}: {motivation}"
                        );
                    }
                }
            }
        }
        for kind in [
            OperationKind::Harassment,
            OperationKind::Arrests,
            OperationKind::Seizure,
        ] {
            for draw in 0..7 {
                assert!(!operation_note(kind, draw).is_empty());
            }
        }
        assert!(!displacement_motivation(u64::MAX).is_empty());
    }

    #[test]
    fn demo_departements_are_the_units() {
        assert_eq!(demo_departements(), DEPS);
    }
}
