//! The words of synthetic intelligence items: sentence templates with their slots, products and
//! their prices, places, vehicles, and what differs from one département to another (roads, origins
//! of the goods, mobile prefixes).
//!
//! A template is French text with slots in braces (`{p}`, `{a_lieu}`, `{prix}`...), filled by
//! `intel::Writer`; every slot name used here is one it knows (a test checks that no brace is left in
//! generated text). Templates avoid agreeing a past participle with a slot whose gender is unknown
//! (a person, a product, a vehicle): « {p} assurerait la fonction de… », not « {p} est décrit… ».
//! Weights make some words frequent (« point de deal ») and others rare (« traboule », « yole »), as
//! in real files. Nothing here is drawn: this module only holds data.

/// Which recording units may write a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Who {
    Any,
    /// Customs services only (« contrôle douanier », « aviseur »).
    Customs,
    /// Every service but customs.
    NotCustoms,
}

/// One sentence with its slots and its draw weight.
#[derive(Debug)]
pub(super) struct Template {
    pub text: &'static str,
    pub weight: u32,
    pub who: Who,
}

/// Weights are written in units of ten, so that [`rare`] can go below one.
const UNIT: u32 = 10;

const fn t(text: &'static str, weight: u32) -> Template {
    Template {
        text,
        weight: weight * UNIT,
        who: Who::Any,
    }
}

/// A template drawn less often than weight 1: `tenths` tenths of it.
const fn rare(text: &'static str, tenths: u32) -> Template {
    Template {
        text,
        weight: tenths,
        who: Who::Any,
    }
}

const fn customs(text: &'static str, weight: u32) -> Template {
    Template {
        text,
        weight: weight * UNIT,
        who: Who::Customs,
    }
}

const fn police(text: &'static str, weight: u32) -> Template {
    Template {
        text,
        weight: weight * UNIT,
        who: Who::NotCustoms,
    }
}

/// First sentences of an item learned from a human source (never named, never coded in the text).
pub(super) static OPEN_HUMAN: &[Template] = &[
    t("Selon la source, le point de deal {de_cite} fonctionne {horaires}, {jours}.", 30),
    t("La source rapporte {que_p} tient le point de vente situé {a_lieu}.", 22),
    t("D'après la source, qui fréquente le quartier, la vente {de_produit} a repris {a_lieu} depuis {duree}.", 14),
    t("La source indique {que_p} aurait récemment pris la gérance du point de deal {de_cite}.", 14),
    t("Selon un informateur, un approvisionnement en {produit} est attendu {jour} {a_lieu}.", 10),
    t("La source signale que des mineurs sont employés comme guetteurs {a_lieu}, payés {paie} par jour.", 10),
    t("La source précise que les clients sont orientés vers {le_lieu} par des rabatteurs postés à l'entrée {de_cite}.", 6),
    t("Selon la source, {p} se fournirait auprès d'un grossiste {de_commune2} à {gros}.", 6),
    t("La source, proche de l'entourage {de_p}, évoque un stock {de_produit} conservé dans une cave du bâtiment {bat}.", 5),
    police("Une source de fiabilité établie signale une tension croissante entre le réseau {de_cite} et celui {de_cite2}.", 4),
    customs("L'aviseur signale qu'un conteneur arrivant {transit} dissimulerait {quantite}.", 8),
    customs("Selon l'aviseur, une société d'import-export {de_commune} servirait de couverture à des envois en provenance {from}.", 4),
];

/// First sentences of an item from technical means (interceptions, surveillance, beacons, LAPI).
pub(super) static OPEN_TECHNICAL: &[Template] = &[
    t("L'exploitation de la ligne {tel} fait apparaître des contacts quotidiens avec {p}.", 20),
    police("Les surveillances physiques du {date} confirment une activité de revente {a_lieu} {heure}.", 20),
    t("Une balise posée sur {vehicule} montre des allers-retours réguliers vers {commune2}.", 10),
    police("La vidéoprotection urbaine a permis d'observer {nb} transactions en moins d'une heure {a_lieu}.", 12),
    t("Les interceptions révèlent que la ligne {tel} sert de « ligne de commande » pour des livraisons à domicile {de_produit}.", 10),
    police("Un dispositif de captation d'images installé le {date} a filmé {p} en train de remettre un sac à un individu non identifié.", 6),
    t("Le système de lecture automatisée des plaques (LAPI) a relevé {vehicule} sur {route} le {date}.", 8),
    t("Les données de connexion de la ligne {tel} la situent chaque soir {a_lieu}.", 6),
    police("L'exploitation des fadettes de la ligne {tel} met en évidence des appels fréquents vers {p}.", 4),
    customs("Le ciblage des flux de fret signale une anomalie sur un envoi arrivant {transit}.", 6),
];

/// First sentences of an item from open sources.
pub(super) static OPEN_OPEN_SOURCE: &[Template] = &[
    t("Une vidéo diffusée sur {reseau} montre des jeunes armés posant {a_lieu}.", 8),
    t("Un compte {reseau} propose la livraison {de_produit} {a_commune}, au prix de {prix}.", 14),
    t("La presse locale relate des tirs survenus le {date} {a_commune}, sur fond de rivalité entre points de deal.", 8),
    t("Des annonces publiées sur {reseau} recrutent des « jobbeurs » pour des missions de guet payées {paie} la journée.", 10),
    t("Un groupe {reseau} d'environ {nb_membres} membres diffuse chaque jour les horaires du point de deal {de_cite}.", 8),
    t("Une publication sur {reseau} affiche un « menu » : {prix}, livraison possible {a_commune}.", 8),
    t("Un article de presse évoque la réouverture d'un point de deal {a_lieu} malgré les opérations de police.", 4),
];

/// First sentences of an item from a seized or received document.
pub(super) static OPEN_DOCUMENT: &[Template] = &[
    t("Un carnet de comptes découvert {a_lieu} mentionne des recettes journalières d'environ {montant}.", 14),
    t("L'analyse du téléphone saisi sur {p} fait apparaître des photos de pochons {de_produit} prêts à la vente.", 12),
    t("Un document manuscrit saisi liste les surnoms de {nb} guetteurs et les sommes versées à chacun.", 8),
    t("Des bordereaux de transfert d'argent {transfert} ont été retrouvés dans un sac abandonné {a_lieu}.", 6),
    police("Un planning des « shifts » de guet, retrouvé {a_lieu}, prévoit des relèves toutes les {nb} heures.", 6),
    t("Les relevés bancaires transmis font apparaître des dépôts d'espèces fractionnés sur le compte {de_p}.", 6),
    customs("Les documents de transport d'un envoi arrivant {transit} présentent des incohérences sur le poids déclaré.", 6),
];

/// First sentences of an item from an act of procedure.
pub(super) static OPEN_PROCEDURE: &[Template] = &[
    t("Lors de son audition, {p} déclare que son recrutement s'est fait via {reseau}.", 10),
    police("La perquisition du {date} au domicile {de_p} a permis la découverte de {quantite} et de {montant} en numéraire.", 14),
    police("En garde à vue, {p} reconnaît avoir exercé le rôle de {role} pendant plusieurs mois.", 12),
    police("L'interpellation {de_p} le {date} {a_lieu} a conduit à la saisie de {quantite}.", 14),
    police("Un contrôle routier visant {vehicule} sur {route} a permis la découverte, dans une cache aménagée, de {quantite}.", 8),
    police("Entendu en audition libre, un riverain décrit des allées et venues incessantes {a_lieu} {heure}.", 6),
    customs("Un contrôle douanier sur {route} a permis la découverte de {quantite} dans {vehicule}.", 14),
    customs("Lors de la retenue douanière, {p} déclare avoir touché {montant} pour le transport.", 4),
];

/// First sentences of an item reported by a partner (social landlord, municipal police, school...).
pub(super) static OPEN_PARTNER: &[Template] = &[
    police("Le bailleur social signale des dégradations répétées et l'occupation du hall du bâtiment {bat} par des guetteurs.", 14),
    police("La police municipale rapporte des regroupements {a_lieu} {jour}, avec de fortes odeurs de cannabis.", 12),
    police("Le gardien de l'immeuble signale la présence d'une nourrice présumée au {etage} étage du bâtiment {bat}.", 8),
    police("L'opérateur de transport signale des trafics aux abords de l'arrêt de bus {de_cite}.", 6),
    police("Le principal du collège signale le recrutement d'élèves de {age} ans comme guetteurs.", 5),
    police("La mairie {de_commune} signale la réouverture d'un point de deal {a_lieu} malgré les travaux de résidentialisation.", 5),
    customs("Un transitaire signale un envoi suspect arrivant {transit}, déclaré comme des pièces automobiles.", 6),
    t("Un commerçant signale {que_p} vient régulièrement changer d'importantes sommes en petites coupures.", 3),
];

/// Further sentences, any source.
pub(super) static BODY: &[Template] = &[
    // Dealing points.
    police("Le point de deal fonctionne {horaires}, {jours}, avec {nb} guetteurs postés aux entrées.", 40),
    t("Les prix pratiqués sont de {prix}.", 30),
    police("La vente se fait {a_lieu}, les clients étant orientés par des guetteurs.", 22),
    t("Le produit vendu est principalement {du_produit}.", 18),
    police("{p} assurerait la fonction de {role} sur le point.", 30),
    t("{p} jouerait le rôle de {role} au sein du réseau.", 10),
    police("Plusieurs témoins désignent {p} comme responsable du point de deal.", 16),
    t("{p} utiliserait la ligne {tel}, activée il y a environ {nb} semaines.", 16),
    t("La ligne {tel} est diffusée aux clients par des SMS promotionnels (« {promo} »).", 6),
    police("Le point de deal a été déplacé {a_lieu} après l'opération de harcèlement du {date}.", 10),
    police("Depuis les opérations « place nette », l'activité s'est reportée vers {commune2}.", 5),
    t("Des livraisons de {quantite} auraient lieu {jour}.", 14),
    t("La marchandise serait stockée chez une nourrice résidant au {etage} étage du bâtiment {bat}.", 12),
    t("{p} servirait de nourrice et conserverait le produit à son domicile contre {paie} par semaine.", 7),
    t("Un go-fast transportant {du_produit} emprunterait {route} {jour}, en provenance {from}.", 9),
    t("Le convoi comprendrait {vehicule} et une voiture ouvreuse.", 5),
    t("{p} utilise régulièrement {vehicule}.", 12),
    t("Le véhicule utilisé, {vehicule}, serait loué auprès d'une agence {de_commune2}.", 6),
    t("Des mineurs, certains âgés de {age} ans, seraient recrutés via {reseau} pour des missions de guet.", 9),
    t("Le réseau ferait appel à des « jobbeurs » recrutés hors du département et hébergés dans un appartement {de_cite}.", 5),
    t("Le produit serait coupé dans un appartement {de_cite} avant d'être conditionné en pochons.", 6),
    t("{p} aurait commandé {quantite} auprès d'un fournisseur {de_commune2}.", 7),
    t("Le réseau s'approvisionnerait en {produit} à {gros}.", 7),
    t("Le prix de gros constaté est de {gros}.", 4),
    t("Les clients viennent de toute l'agglomération, certains depuis {commune2}.", 6),
    t("Les commandes passent par la messagerie {reseau}, le rendez-vous étant fixé {a_lieu}.", 6),
    t("La livraison à domicile (« uber shit ») serait assurée par {p} en scooter.", 4),
    t("La revente se ferait désormais en « drive », les clients restant dans leur véhicule {a_lieu}.", 4),
    police("Des affichettes dans le hall annoncent une ouverture {horaires}, {jours}.", 3),
    police("Le point de vente serait tenu par des équipes de {nb} personnes se relayant {jours}.", 4),
    t("Les ventes sont estimées à {nb_clients} clients par jour, pour un chiffre d'affaires journalier de {montant}.", 8),
    rare("Un « four » fonctionnerait également {a_lieu}, avec un débit plus faible.", 3),
    police("Les guetteurs crient « {cri} » à l'approche des patrouilles.", 3),
    police("Les guetteurs sont équipés de talkies-walkies et se relaient toutes les {nb} heures.", 4),
    t("Des caméras ont été installées par le réseau {a_lieu} pour surveiller les accès.", 3),
    t("Des barricades de palettes et de chariots bloquent l'accès des véhicules {a_lieu}.", 2),
    t("Les habitants se plaignent de contrôles imposés par les guetteurs à l'entrée du bâtiment {bat}.", 2),
    t("Un appartement {de_cite} servirait de lieu de stockage et de conditionnement.", 6),
    t("Le domicile {de_p} serait situé {a_lieu}.", 5),
    t("La présence {de_p} est signalée {a_lieu} {jour}.", 8),
    t("Le nom {de_p} revient dans plusieurs signalements récents.", 3),
    // People and their ties.
    t("{p} et {p} seraient en contact régulier avec un fournisseur installé {in_country}.", 4),
    t("{p} aurait rejoint le réseau {de_cite2} après une brouille avec {p}.", 3),
    t("Depuis sa sortie de détention le {date}, {p} aurait repris ses activités {a_lieu}.", 4),
    t("{p} aurait reçu {montant} en espèces de la part {de_p}.", 4),
    t("Les recettes seraient collectées chaque soir par {p} puis remises à un « comptable » {de_commune2}.", 5),
    t("{p} utiliserait plusieurs lignes, dont {tel} et {tel}.", 4),
    t("Une somme de {montant} en numéraire aurait été remise à {p} {a_lieu}.", 3),
    t("Des menaces de mort auraient été proférées contre {p} à la suite d'une dette de {montant}.", 2),
    t("{p} serait en possession {d_arme}.", 3),
    // Money.
    t("Une partie des recettes serait blanchie via {commerce} dont le gérant serait un prête-nom {de_p}.", 6),
    t("Les fonds seraient convertis {crypto} avant d'être transférés {transfert}.", 3),
    t("Le paiement des fournisseurs se ferait en cryptomonnaie ({crypto_nom}).", 2),
    t("{p} aurait réglé en espèces l'achat {achat}.", 3),
    t("Le chiffre d'affaires du réseau serait réinvesti dans l'immobilier {in_country}.", 2),
    t("Des dépôts d'espèces fractionnés, inférieurs à {montant_petit}, sont effectués dans plusieurs agences.", 2),
    // Violence.
    t("Un règlement de comptes est redouté après les tirs du {date} {a_lieu}.", 4),
    t("Des tirs d'arme à feu ont été entendus {a_lieu} dans la nuit, sans victime signalée.", 3),
    t("Un conflit opposerait le réseau {de_cite} à celui {de_cite2} pour le contrôle du secteur.", 3),
    rare("Un enlèvement et une séquestration liés à une dette de stupéfiants auraient eu lieu {a_commune2}.", 3),
    t("Des armes seraient entreposées dans une cave du bâtiment {bat}.", 2),
    t("Un véhicule volé, {vehicule}, servirait de « voiture-nourrice » stationnée {a_lieu}.", 2),
    // Consumers, nuisances, products.
    t("Des bonbonnes de protoxyde d'azote sont régulièrement retrouvées {a_lieu}.", 2),
    t("Les consommateurs de crack se regroupent {a_lieu}, ce qui inquiète les riverains.", 2),
    t("Plusieurs riverains font état de nuisances nocturnes et de rodéos urbains {jour}.", 3),
    t("Le produit serait de bonne qualité selon les consommateurs, ce qui expliquerait l'afflux de clients.", 2),
    rare("Le taux de pureté de la cocaïne saisie serait d'environ {pct} %.", 5),
    t("Un mineur d'environ {age} ans aurait été interpellé {a_lieu} en possession de {nb} pochons {de_produit}.", 5),
    t("Le numéro {tel} a été relevé sur des cartes de visite distribuées {a_lieu}.", 2),
    rare("Le réseau utiliserait des téléphones chiffrés de type {crypto_phone}.", 3),
    t("Un transport {de_produit} serait organisé {transit}.", 3),
    rare("Des « mules » seraient recrutées pour acheminer {du_produit} {transit}.", 4),
    // Analysis.
    police("Une opération de harcèlement est envisagée {jour} pour déstabiliser le point.", 3),
    t("Ces éléments recoupent les constatations des effectifs locaux.", 5),
    t("Le secteur {de_cite} est connu pour un trafic ancien et structuré.", 3),
    t("Le cœur du trafic se situerait {a_lieu}.", 6),
    t("Le réseau puiserait sa main-d'œuvre parmi des mineurs en rupture scolaire.", 2),
    t("L'activité semble avoir fortement augmenté depuis {duree}.", 3),
    rare("Le fonctionnement rappelle celui d'une « traboule » : les clients entrent par un bâtiment et ressortent par un autre.", 2),
    customs("Le chauffeur, rémunéré {paie} le trajet, ignorerait la nature exacte du chargement.", 3),
    customs("La marchandise aurait été dissimulée parmi des palettes de fruits et légumes.", 3),
];

/// Last sentences, drawn for some items.
pub(super) static CLOSINGS: &[Template] = &[
    t("Information à recouper.", 12),
    t("À confirmer par des surveillances.", 7),
    t("Éléments transmis à la CROSS pour analyse.", 7),
    t(
        "Renseignement à croiser avec les fadettes de la ligne {tel}.",
        2,
    ),
    police(
        "Une exploitation judiciaire est envisagée en lien avec le parquet.",
        4,
    ),
    t(
        "Le service d'origine souhaite être informé de toute exploitation.",
        4,
    ),
    t(
        "Aucun élément ne permet à ce stade de confirmer l'information.",
        3,
    ),
    t("Cohérent avec les éléments déjà enregistrés.", 4),
    rare("Source à réévaluer.", 5),
    customs("Un ciblage des prochains envois est demandé.", 3),
];

/// The sentence that names one person drawn for an item but not yet mentioned (several are listed
/// in « Sont également cités : … »).
pub(super) static ALSO: &[Template] = &[
    t("{p} apparaît également dans les échanges.", 3),
    t("Le nom {de_p} est également cité.", 2),
    t("{p} fréquenterait également le point de deal.", 1),
];

/// A product: how it is named, and the prices and quantities seen for it.
#[derive(Debug)]
pub(super) struct Product {
    /// « résine de cannabis ».
    pub name: &'static str,
    /// With the partitive article: « de la résine de cannabis », « du crack ».
    pub du: &'static str,
    /// After a quantity or a noun: « de résine de cannabis », « d'héroïne ».
    pub de: &'static str,
    /// Retail prices, written.
    pub prices: &'static [&'static str],
    /// Wholesale price: what it is for (« le kilo »), lowest, highest and step, in euros.
    pub wholesale: (&'static str, u32, u32, u32),
    /// Quantities: unit, lowest, highest.
    pub quantities: &'static [(&'static str, u32, u32)],
    pub weight: u32,
}

pub(super) static PRODUCTS: &[Product] = &[
    Product {
        name: "résine de cannabis",
        du: "de la résine de cannabis",
        de: "de résine de cannabis",
        prices: &[
            "10 € la barrette",
            "20 € la barrette",
            "50 € le pochon de 10 g",
            "5 € le gramme",
            "10 € la barrette et 100 € la plaquette",
        ],
        wholesale: ("le kilo", 2_200, 4_500, 100),
        quantities: &[
            ("kg", 1, 250),
            ("g", 50, 900),
            ("plaquettes", 4, 60),
            ("savonnettes", 2, 40),
            ("barrettes", 10, 200),
        ],
        weight: 340,
    },
    Product {
        name: "herbe de cannabis",
        du: "de l'herbe de cannabis",
        de: "d'herbe de cannabis",
        prices: &[
            "10 € le pochon",
            "20 € le pochon",
            "10 € le gramme",
            "12 € le gramme de « Amnesia »",
        ],
        wholesale: ("le kilo", 3_500, 6_500, 100),
        quantities: &[("kg", 1, 80), ("g", 30, 900), ("pochons", 10, 300)],
        weight: 200,
    },
    Product {
        name: "cocaïne",
        du: "de la cocaïne",
        de: "de cocaïne",
        prices: &[
            "60 € le gramme",
            "70 € le gramme",
            "50 € le gramme",
            "80 € le gramme",
            "40 € le demi-gramme",
        ],
        wholesale: ("le kilo", 24_000, 38_000, 500),
        quantities: &[("kg", 1, 60), ("g", 10, 900), ("pochons", 10, 200)],
        weight: 250,
    },
    Product {
        name: "crack",
        du: "du crack",
        de: "de crack",
        prices: &["15 € la galette", "20 € la galette", "10 € le caillou"],
        wholesale: ("le kilo de cocaïne base", 25_000, 35_000, 500),
        quantities: &[("galettes", 5, 150), ("g", 5, 300)],
        weight: 60,
    },
    Product {
        name: "héroïne",
        du: "de l'héroïne",
        de: "d'héroïne",
        prices: &["40 € le gramme", "30 € le gramme", "20 € le paquet"],
        wholesale: ("le kilo", 12_000, 22_000, 500),
        quantities: &[("g", 10, 900), ("kg", 1, 15)],
        weight: 40,
    },
    Product {
        name: "MDMA",
        du: "de la MDMA",
        de: "de MDMA",
        prices: &[
            "10 € le cachet",
            "40 € le gramme de cristaux",
            "5 € le cachet par dix",
        ],
        wholesale: ("le kilo", 8_000, 15_000, 500),
        quantities: &[("cachets", 20, 2_000), ("g", 10, 500)],
        weight: 40,
    },
    Product {
        name: "kétamine",
        du: "de la kétamine",
        de: "de kétamine",
        prices: &["40 € le gramme", "30 € le gramme"],
        wholesale: ("le kilo", 10_000, 20_000, 500),
        quantities: &[("g", 10, 800), ("kg", 1, 5)],
        weight: 20,
    },
    Product {
        name: "protoxyde d'azote",
        du: "du protoxyde d'azote",
        de: "de protoxyde d'azote",
        prices: &[
            "30 € la bonbonne",
            "45 € la bonbonne de 2 kg",
            "5 € le ballon",
        ],
        wholesale: ("la bonbonne par palette", 15, 25, 1),
        quantities: &[("bonbonnes", 5, 400)],
        weight: 30,
    },
    Product {
        name: "3-MMC",
        du: "de la 3-MMC",
        de: "de 3-MMC",
        prices: &["30 € le gramme", "25 € le gramme"],
        wholesale: ("le kilo", 4_000, 9_000, 500),
        quantities: &[("g", 10, 500)],
        weight: 6,
    },
    Product {
        name: "champignons hallucinogènes",
        du: "des champignons hallucinogènes",
        de: "de champignons hallucinogènes",
        prices: &["10 € le gramme"],
        wholesale: ("le kilo", 3_000, 6_000, 500),
        quantities: &[("g", 20, 500)],
        weight: 2,
    },
];

/// A kind of place: the preposition and article before it, the article alone, and its noun
/// (whose slots are `{bat}`, `{de_cite}`, `{n}`, `{rue}`, `{esc}`, `{ecole}`).
pub(super) struct PlaceKind {
    pub at: &'static str,
    pub the: &'static str,
    pub noun: &'static str,
    pub weight: u32,
}

const fn place(at: &'static str, the: &'static str, noun: &'static str, weight: u32) -> PlaceKind {
    PlaceKind {
        at,
        the,
        noun,
        weight,
    }
}

pub(super) static PLACES: &[PlaceKind] = &[
    place("dans le ", "le ", "hall du bâtiment {bat} {de_cite}", 30),
    place("sur le ", "le ", "parking {de_cite}", 20),
    place("devant le ", "le ", "tabac du {n} {rue}", 8),
    place(
        "dans la ",
        "la ",
        "cage d'escalier {esc} du bâtiment {bat}",
        12,
    ),
    place("au pied de la ", "la ", "tour {esc} {de_cite}", 10),
    place("sur l'", "l'", "aire de jeux {de_cite}", 5),
    place("dans le ", "le ", "local poubelles du bâtiment {bat}", 4),
    place("sur la ", "la ", "place centrale {de_cite}", 6),
    place("devant l'", "l'", "entrée du centre commercial", 4),
    place("au ", "le ", "{n} {rue}", 8),
    place("dans la ", "la ", "coursive du bâtiment {bat} {de_cite}", 3),
    place("sur le ", "le ", "parvis de la gare", 3),
    place("aux abords du ", "le ", "collège {ecole}", 3),
    place(
        "dans la ",
        "la ",
        "station de lavage de la zone commerciale",
        2,
    ),
    place("dans le ", "le ", "parking souterrain {de_cite}", 4),
    place(
        "sur le ",
        "le ",
        "terrain vague derrière le bâtiment {bat}",
        2,
    ),
    place("dans le ", "le ", "snack du {n} {rue}", 3),
    place("dans le ", "le ", "bar à chicha du {n} {rue}", 1),
    place("à l'", "l'", "arrêt de bus {de_cite}", 3),
    place(
        "sur le ",
        "le ",
        "chemin piétonnier longeant le bâtiment {bat}",
        1,
    ),
];

/// Kinds of housing estate: the noun and its « de » form.
pub(super) static ESTATE_KINDS: &[(&str, &str, &str)] = &[
    // (kind, article, « de » form)
    ("cité", "la ", "de la "),
    ("cité", "la ", "de la "),
    ("cité", "la ", "de la "),
    ("résidence", "la ", "de la "),
    ("quartier", "le ", "du "),
    ("square", "le ", "du "),
];

pub(super) static SCHOOLS: &[&str] = &[
    "Jean-Moulin",
    "Victor-Hugo",
    "Louise-Michel",
    "Jules-Ferry",
    "Pablo-Picasso",
    "Aimé-Césaire",
    "Anatole-France",
];

/// (model, feminine, before the model): « une Renault Clio », « un scooter Yamaha TMax ».
pub(super) static VEHICLES: &[(&str, bool, &str, u32)] = &[
    ("Renault Clio", true, "", 12),
    ("Peugeot 208", true, "", 10),
    ("Citroën C3", true, "", 6),
    ("Dacia Sandero", true, "", 6),
    ("Volkswagen Golf", true, "", 8),
    ("Audi A3", true, "", 6),
    ("Audi RS3", true, "", 3),
    ("BMW Série 1", true, "", 4),
    ("BMW M4", true, "", 1),
    ("Mercedes Classe A", true, "", 5),
    ("Seat Leon", true, "", 4),
    ("Renault Mégane", true, "", 6),
    ("Peugeot 308", true, "", 5),
    ("Toyota Yaris", true, "", 3),
    ("Fiat 500", true, "", 3),
    ("Porsche Macan", true, "", 1),
    ("Range Rover Evoque", false, "", 1),
    ("Renault Kangoo", false, "utilitaire ", 3),
    ("Citroën Berlingo", false, "utilitaire ", 3),
    ("Mercedes Sprinter", false, "fourgon ", 2),
    ("Yamaha TMax", false, "scooter ", 6),
    ("Honda Forza", false, "scooter ", 2),
];

/// (masculine, feminine).
pub(super) static COLOURS: &[(&str, &str)] = &[
    ("noir", "noire"),
    ("noir", "noire"),
    ("blanc", "blanche"),
    ("blanc", "blanche"),
    ("gris", "grise"),
    ("gris foncé", "gris foncé"),
    ("bleu", "bleue"),
    ("bleu nuit", "bleu nuit"),
    ("rouge", "rouge"),
    ("beige", "beige"),
    ("vert", "verte"),
];

/// (phrase, weight).
/// Opening hours of a dealing point: (phrase, weight).
pub(super) static OPENING_HOURS: &[(&str, u32)] = &[
    ("entre 14 h et 22 h", 10),
    ("de 11 h à 23 h", 10),
    ("de 10 h à 2 h du matin", 6),
    ("en continu", 5),
    ("entre midi et 20 h", 6),
    ("de 16 h à 4 h du matin", 3),
    ("de 9 h à minuit", 2),
];

/// When something was seen or happens.
pub(super) static MOMENTS: &[(&str, u32)] = &[
    ("en fin d'après-midi", 6),
    ("en début de soirée", 6),
    ("vers 21 h 30", 3),
    ("vers 23 h", 3),
    ("dans la nuit", 3),
    ("en milieu de journée", 3),
    ("vers 6 h du matin", 1),
];

/// The days a dealing point opens.
pub(super) static OPENING_DAYS: &[(&str, u32)] = &[
    ("tous les jours", 12),
    ("7 jours sur 7", 4),
    ("du lundi au samedi", 4),
    ("tous les jours sauf le dimanche", 4),
    ("surtout le week-end", 4),
    ("en semaine", 2),
];

/// When something happens.
pub(super) static DAYS: &[(&str, u32)] = &[
    ("le samedi soir", 8),
    ("le week-end", 8),
    ("en semaine", 4),
    ("chaque mercredi", 3),
    ("le vendredi et le samedi", 5),
    ("le lundi matin", 2),
    ("en fin de semaine", 3),
    ("pendant les vacances scolaires", 2),
    ("les jours de marché", 1),
];

pub(super) static ROLES: &[(&str, u32)] = &[
    ("guetteur", 20),
    ("charbonneur", 14),
    ("vendeur", 8),
    ("nourrice", 8),
    ("ravitailleur", 7),
    ("gérant", 8),
    ("rabatteur", 4),
    ("chauffeur de go-fast", 3),
    ("livreur", 4),
    ("comptable du réseau", 2),
    ("recruteur", 2),
    ("coupeur", 1),
];

pub(super) static NETWORKS: &[(&str, u32)] = &[
    ("Snapchat", 12),
    ("Telegram", 10),
    ("Instagram", 5),
    ("WhatsApp", 5),
    ("Signal", 3),
    ("TikTok", 3),
    ("Potato", 1),
];

pub(super) static BUSINESSES: &[(&str, u32)] = &[
    ("une laverie automatique", 5),
    ("un commerce de téléphonie", 5),
    ("un snack", 5),
    ("un salon de coiffure", 3),
    ("une épicerie de nuit", 3),
    ("un garage automobile", 3),
    ("une agence de location de véhicules", 2),
    ("un bar à chicha", 2),
    ("une société de nettoyage", 1),
    ("une entreprise du bâtiment", 1),
];

pub(super) static CRYPTO: &[&str] = &[
    "en USDT",
    "en bitcoins",
    "en cryptomonnaie via des coupons prépayés",
    "sur une plateforme d'échange étrangère",
];

pub(super) static CRYPTO_NAMES: &[&str] = &["USDT", "bitcoin", "Monero"];

pub(super) static CRYPTO_PHONES: &[&str] = &["« Sky ECC »", "« Ghost »", "« Matrix »"];

pub(super) static TRANSFERS: &[&str] = &[
    "vers Dubaï",
    "vers l'Algérie",
    "vers le Maroc",
    "vers la Turquie",
    "vers l'Espagne",
    "vers Hong Kong",
    "via un réseau de collecteurs liés à des banquiers clandestins",
];

pub(super) static PURCHASES: &[&str] = &[
    "d'une montre de luxe",
    "d'un véhicule de sport",
    "d'un fonds de commerce",
    "de bijoux",
    "d'un scooter neuf",
];

pub(super) static WEAPONS: &[&str] = &[
    "d'une arme de poing",
    "d'un fusil d'assaut de type kalachnikov",
    "d'un fusil à pompe",
    "d'un pistolet automatique de calibre 9 mm",
];

pub(super) static PAY: &[&str] = &["50 €", "80 €", "100 €", "120 €", "150 €", "200 €"];

pub(super) static PROMOS: &[&str] = &[
    "arrivage frais",
    "2 achetés, 1 offert",
    "livraison 7j/7",
    "nouvelle frappe dispo",
    "ouvert même le dimanche",
];

pub(super) static CRIES: &[&str] = &["Arah !", "Ça monte !", "Les bleus !", "Attention !"];

pub(super) static DURATIONS: &[&str] = &[
    "quelques jours",
    "deux semaines",
    "environ un mois",
    "la fin de l'été",
    "le début de l'année",
    "l'opération du mois dernier",
];

pub(super) static FLOORS: &[&str] = &["1er", "2e", "3e", "4e", "5e", "6e", "7e", "8e", "9e", "10e"];

/// People mentioned without a name, when the item names no one.
pub(super) static ANONYMOUS: &[(&str, u32)] = &[
    ("un individu non identifié", 8),
    ("un jeune homme d'une vingtaine d'années", 6),
    ("un mineur d'environ 15 ans", 3),
    ("un individu surnommé « {alias} »", 6),
    ("une femme d'une quarantaine d'années", 2),
    ("un homme circulant en trottinette", 2),
    ("un individu se faisant appeler « {alias} »", 3),
    ("un adolescent", 2),
];

pub(super) static ALIASES: &[&str] = &[
    "Le Gros",
    "Nono",
    "Pitbull",
    "Le Grand",
    "Toto",
    "Ptit Moh",
    "Le Blanc",
    "Bébé",
    "Kiki",
    "Zizou",
    "Le Chinois",
    "Tchoupi",
    "Messi",
    "Doudou",
    "Gamin",
    "Minus",
    "Tornade",
    "Le Vieux",
];

pub(super) static MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// Restrictions written under H3.
pub(super) static RESTRICTIONS: &[&str] = &[
    "Ne pas exploiter sans contact préalable avec le service d'origine.",
    "Ne pas mentionner l'existence d'une source humaine dans un acte de procédure.",
    "Diffusion limitée aux services d'enquête du département.",
    "Ne pas communiquer aux partenaires non étatiques (bailleurs, polices municipales).",
    "Exploitation soumise à l'accord du magistrat saisi.",
    "Ne pas procéder à des interpellations sur ce seul fondement.",
    "Ne pas transmettre hors du territoire national.",
    "Toute diffusion doit passer par la CROSS.",
];

/// What differs from one département to another.
pub(super) struct Flavour {
    /// Roads, with their article: « l'A7 ».
    pub routes: &'static [&'static str],
    /// Where goods come from: (« d'Espagne », « en Espagne »).
    pub origins: &'static [(&'static str, &'static str)],
    /// How goods arrive: « via le port de Dunkerque ».
    pub transits: &'static [&'static str],
    /// Whether mobile numbers are Guadeloupe's (06 90, 06 91).
    pub antilles: bool,
}

const SPAIN: (&str, &str) = ("d'Espagne", "en Espagne");
const MOROCCO: (&str, &str) = ("du Maroc", "au Maroc");
const NETHERLANDS: (&str, &str) = ("des Pays-Bas", "aux Pays-Bas");
const BELGIUM: (&str, &str) = ("de Belgique", "en Belgique");

pub(super) static FLAVOUR_13: Flavour = Flavour {
    routes: &["l'A7", "l'A7", "l'A55", "l'A50", "l'A8", "l'A9"],
    origins: &[
        SPAIN,
        SPAIN,
        MOROCCO,
        NETHERLANDS,
        ("d'Algérie", "en Algérie"),
    ],
    transits: &[
        "via le port de Marseille-Fos",
        "via le port de Marseille",
        "via l'aéroport de Marignane",
    ],
    antilles: false,
};

pub(super) static FLAVOUR_PARIS: Flavour = Flavour {
    routes: &[
        "l'A1",
        "l'A1",
        "l'A3",
        "l'A86",
        "le boulevard périphérique",
        "l'A6",
        "l'A10",
    ],
    origins: &[NETHERLANDS, BELGIUM, SPAIN, ("de Guyane", "en Guyane")],
    transits: &[
        "via le port du Havre",
        "via l'aéroport d'Orly",
        "via l'aéroport de Roissy-Charles-de-Gaulle",
    ],
    antilles: false,
};

pub(super) static FLAVOUR_59: Flavour = Flavour {
    routes: &["l'A1", "l'A22", "l'A23", "l'A25", "l'A27"],
    origins: &[BELGIUM, NETHERLANDS, NETHERLANDS],
    transits: &[
        "via le port de Dunkerque",
        "via le port d'Anvers",
        "via le port de Rotterdam",
    ],
    antilles: false,
};

pub(super) static FLAVOUR_69: Flavour = Flavour {
    routes: &["l'A7", "l'A6", "l'A43", "l'A42", "l'A46"],
    origins: &[SPAIN, NETHERLANDS, MOROCCO],
    transits: &[
        "via le port de Marseille-Fos",
        "via l'aéroport Lyon-Saint-Exupéry",
    ],
    antilles: false,
};

pub(super) static FLAVOUR_971: Flavour = Flavour {
    routes: &["la N1", "la N2", "la N4", "la rocade de Pointe-à-Pitre"],
    origins: &[
        ("du Venezuela", "au Venezuela"),
        ("de la Dominique", "à la Dominique"),
        ("de Sainte-Lucie", "à Sainte-Lucie"),
        ("de Saint-Martin", "à Saint-Martin"),
        ("de Colombie", "en Colombie"),
    ],
    transits: &[
        "via le port de Jarry",
        "via l'aéroport Pôle Caraïbes",
        "par yole depuis la Dominique",
    ],
    antilles: true,
};

pub(super) static FLAVOUR_DEFAULT: Flavour = Flavour {
    routes: &["l'A7", "l'A1", "l'A9", "l'A6"],
    origins: &[SPAIN, NETHERLANDS, BELGIUM, MOROCCO],
    transits: &["via le port du Havre", "via le port de Marseille-Fos"],
    antilles: false,
};

/// The flavour of a département code.
pub(super) fn flavour(departement: Option<&str>) -> &'static Flavour {
    match departement {
        Some("13") => &FLAVOUR_13,
        Some("75" | "93" | "92" | "94") => &FLAVOUR_PARIS,
        Some("59" | "62") => &FLAVOUR_59,
        Some("69") => &FLAVOUR_69,
        Some("971" | "972" | "973") => &FLAVOUR_971,
        _ => &FLAVOUR_DEFAULT,
    }
}
