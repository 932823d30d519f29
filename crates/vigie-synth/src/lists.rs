//! Static word lists the generator draws from: first names and surnames by origin, nicknames, real
//! communes of the demo départements with their postal codes, synthetic street, estate and company
//! names, vehicle models, banks and case code names.
//!
//! Communes and postal codes are real (so addresses look right on a map); street names, estates,
//! companies and people are synthetic combinations. The origin mix gives French-origin names a large
//! share everywhere, so that no origin is made to stand for trafficking. Nothing here is about a real
//! person. This module only holds data; choosing among it is `world`'s job.

/// Where a family name comes from, among the populations found in France.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    French,
    NorthAfrican,
    WestAfrican,
    Portuguese,
    Comorian,
    Antillean,
}

/// First names (male, female) and surnames of one origin.
pub(crate) struct NamePool {
    pub male: &'static [&'static str],
    pub female: &'static [&'static str],
    pub surnames: &'static [&'static str],
    /// Birthplaces outside the demo départements, with the nationality (French label) most people
    /// born there would hold.
    pub birthplaces: &'static [(&'static str, &'static str)],
}

pub(crate) fn pool(origin: Origin) -> &'static NamePool {
    match origin {
        Origin::French => &FRENCH,
        Origin::NorthAfrican => &NORTH_AFRICAN,
        Origin::WestAfrican => &WEST_AFRICAN,
        Origin::Portuguese => &PORTUGUESE,
        Origin::Comorian => &COMORIAN,
        Origin::Antillean => &ANTILLEAN,
    }
}

static FRENCH: NamePool = NamePool {
    male: &[
        "Lucas", "Hugo", "Thomas", "Nicolas", "Julien", "Maxime", "Alexandre", "Kévin", "Anthony",
        "Jordan", "Dylan", "Florian", "Romain", "Mathieu", "Sébastien", "Christophe", "Jérémy",
        "Damien", "Quentin", "Enzo", "Théo", "Nathan", "Kylian", "Loïc", "Guillaume", "Cédric",
        "Ludovic", "Jonathan", "Steven", "Bryan", "Mickaël", "Yannick", "Fabrice", "Franck",
        "Laurent", "Stéphane", "Olivier", "Pascal", "Gaëtan", "Valentin", "Baptiste", "Alexis",
        "Clément", "Benjamin", "Jason", "Killian", "Mathis", "Tony", "David", "Michaël",
    ],
    female: &[
        "Marie", "Julie", "Laura", "Camille", "Manon", "Sarah", "Léa", "Chloé", "Émilie", "Audrey",
        "Jessica", "Mélanie", "Océane", "Cindy", "Aurélie", "Céline", "Sandrine", "Nathalie",
        "Stéphanie", "Amandine", "Justine", "Morgane", "Pauline", "Élodie", "Vanessa",
    ],
    surnames: &[
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
        "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert",
        "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
        "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément",
        "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez",
        "Gérard", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy",
        "Noël", "Meyer", "Meunier", "Perez", "Marchand", "Dufour", "Blanchard", "Barbier", "Brun",
        "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez", "Renard", "Arnaud",
        "Rolland", "Caron", "Aubert", "Giraud", "Leclerc", "Vidal", "Bourgeois", "Renaud",
        "Lemoine", "Picard", "Gaillard", "Lacroix", "Fabre", "Dupuis", "Rodriguez", "Hubert",
        "Rivière", "Le Gall", "Moulin", "Gonzalez", "Berger", "Lecomte", "Fleury", "Deschamps",
        "Carpentier", "Benoit", "Maillard", "Marchal", "Aubry", "Vasseur", "Le Roux", "Renault",
        "Jacquet", "Collet", "Prévost", "Poirier", "Charpentier", "Royer", "Huet", "Baron",
        "Dupuy", "Pons", "Carré", "Breton", "Rémy", "Schneider", "Perrot", "Guyot", "Marty",
        "Cousin", "Vandamme", "Desmet", "Vanhoutte", "Decock", "Delannoy", "Dhondt", "Santoni",
        "Orsoni", "Albertini", "Ferracci", "Castelli", "Esposito", "Russo", "Romano", "Ferrari",
    ],
    birthplaces: &[
        ("Toulon", "française"),
        ("Nice", "française"),
        ("Montpellier", "française"),
        ("Grenoble", "française"),
        ("Saint-Étienne", "française"),
        ("Amiens", "française"),
        ("Reims", "française"),
    ],
};

static NORTH_AFRICAN: NamePool = NamePool {
    male: &[
        "Mohamed", "Mehdi", "Karim", "Youssef", "Bilal", "Nabil", "Sofiane", "Rachid", "Samir",
        "Walid", "Yassine", "Amine", "Hakim", "Farid", "Nassim", "Redouane", "Mourad", "Khalid",
        "Abdelkader", "Ilyes", "Rayan", "Anis", "Hamza", "Adel", "Sami", "Riad", "Zakaria",
        "Ayoub", "Soufiane", "Brahim", "Djamel", "Hichem", "Nordine", "Kamel", "Malik", "Yanis",
        "Ismaël", "Bilel", "Fayçal", "Tarek",
    ],
    female: &[
        "Nadia", "Samira", "Fatima", "Yasmina", "Leïla", "Sonia", "Myriam", "Nora", "Amel",
        "Inès", "Sabrina", "Karima", "Dounia", "Soraya", "Malika", "Kenza", "Lina", "Imane",
        "Rania", "Farah",
    ],
    surnames: &[
        "Benali", "Bensaïd", "Haddad", "Boudjema", "Belkacem", "Amrani", "El Idrissi", "Benyahia",
        "Cherif", "Mansouri", "Hamdi", "Saïdi", "Bouzid", "Meziane", "Brahimi", "Kaddour",
        "Touati", "Benamar", "Aït Ahmed", "Zerrouki", "Chaouch", "Belhadj", "Larbi", "Ouali",
        "Slimani", "Zitouni", "Rahmani", "Djebbar", "Ferhat", "Boukhari", "Taleb", "Messaoudi",
        "Bouaziz", "Yahiaoui", "Benmoussa", "El Amrani", "Lahlou", "Tazi", "Alaoui", "Chraibi",
        "Ghali", "Jaziri", "Trabelsi", "Ben Ammar", "Khelifi", "Mejri", "Ben Youssef", "Gharbi",
        "Hadjadj", "Boualem",
    ],
    birthplaces: &[
        ("Alger (Algérie)", "algérienne"),
        ("Oran (Algérie)", "algérienne"),
        ("Constantine (Algérie)", "algérienne"),
        ("Annaba (Algérie)", "algérienne"),
        ("Casablanca (Maroc)", "marocaine"),
        ("Oujda (Maroc)", "marocaine"),
        ("Tanger (Maroc)", "marocaine"),
        ("Nador (Maroc)", "marocaine"),
        ("Tunis (Tunisie)", "tunisienne"),
        ("Sfax (Tunisie)", "tunisienne"),
    ],
};

static WEST_AFRICAN: NamePool = NamePool {
    male: &[
        "Mamadou", "Moussa", "Ibrahima", "Ousmane", "Abdoulaye", "Amadou", "Boubacar",
        "Souleymane", "Cheikh", "Modibo", "Seydou", "Lamine", "Bakary", "Sékou", "Issa", "Adama",
        "Demba", "Samba", "Aliou", "Malick", "Youssouf", "Oumar", "Alassane", "Fodé", "Djibril",
        "Siaka", "Steve", "Yannick", "Christian", "Cédric",
    ],
    female: &[
        "Aminata", "Fatoumata", "Mariam", "Aïssatou", "Kadiatou", "Awa", "Oumou", "Coumba", "Hawa",
        "Ndeye", "Rokia", "Binta", "Assa", "Djeneba", "Mariama",
    ],
    surnames: &[
        "Diallo", "Traoré", "Koné", "Camara", "Sylla", "Cissé", "Touré", "Diop", "Ndiaye", "Sow",
        "Ba", "Fofana", "Keïta", "Coulibaly", "Diarra", "Sangaré", "Konaté", "Doumbia", "Bamba",
        "Kanté", "Sacko", "Dembélé", "Sissoko", "Diakité", "Gueye", "Fall", "Sarr", "Mbaye", "Faye",
        "Diaby", "Soumaré", "Tounkara", "Magassa", "Niakaté", "Cissokho", "Dramé", "Tandia",
        "Baradji", "Gassama", "Kouyaté",
    ],
    birthplaces: &[
        ("Bamako (Mali)", "malienne"),
        ("Kayes (Mali)", "malienne"),
        ("Dakar (Sénégal)", "sénégalaise"),
        ("Thiès (Sénégal)", "sénégalaise"),
        ("Conakry (Guinée)", "guinéenne"),
        ("Abidjan (Côte d'Ivoire)", "ivoirienne"),
        ("Nouakchott (Mauritanie)", "mauritanienne"),
    ],
};

static PORTUGUESE: NamePool = NamePool {
    male: &[
        "João", "José", "António", "Manuel", "Carlos", "Paulo", "Nuno", "Rui", "Miguel", "Pedro",
        "Ricardo", "Tiago", "Bruno", "Fábio", "Hélder", "Luís", "Sérgio", "Vítor", "Filipe",
        "Diogo",
    ],
    female: &[
        "Ana", "Maria", "Sofia", "Inês", "Catarina", "Joana", "Sandra", "Cristina", "Patrícia",
        "Vanessa",
    ],
    surnames: &[
        "Da Silva", "Dos Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues",
        "Martins", "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Alves",
        "Almeida", "Ribeiro", "Pinto", "Carvalho", "Teixeira", "Moreira", "Correia", "Mendes",
        "Nunes", "Soares", "Vieira", "Monteiro", "Cardoso", "Rocha", "Neves", "Coelho", "Cunha",
        "Pires", "Ramos", "Reis", "Simões", "Antunes", "Fonseca", "Machado", "Cruz",
    ],
    birthplaces: &[
        ("Porto (Portugal)", "portugaise"),
        ("Braga (Portugal)", "portugaise"),
        ("Lisbonne (Portugal)", "portugaise"),
        ("Viseu (Portugal)", "portugaise"),
        ("Guimarães (Portugal)", "portugaise"),
    ],
};

static COMORIAN: NamePool = NamePool {
    male: &[
        "Ahmed", "Saïd", "Ali", "Abdallah", "Ibrahim", "Soilihi", "Houmadi", "Abdou", "Anli",
        "Nassur", "Madi", "Fahardine", "Nourdine", "Moustoifa", "Djaanfar", "Mansour", "Salim",
        "Chamsoudine", "Ismaël", "Kamal",
    ],
    female: &[
        "Zaïnaba", "Faouzia", "Mariama", "Nadjma", "Hadidja", "Sitti", "Anlia", "Fatima", "Naïma",
        "Echati",
    ],
    surnames: &[
        "Ahamada", "Said Omar", "Soilihi", "Houmadi", "Mmadi", "Attoumani", "Ali Mmadi", "Ben Ali",
        "Youssouf", "Msaidie", "Boina", "Combo", "Hamada", "Bacar", "Djoumoi", "Mze", "Oili",
        "Chanfi", "Ibouroi", "Ousseni", "Halidi", "Assoumani", "Daroueche", "Abdallah",
        "Ahmed Abdou", "Mlanao", "Toiyb", "Said Ali", "Kassim", "Maoulida",
    ],
    birthplaces: &[
        ("Moroni (Comores)", "comorienne"),
        ("Mutsamudu (Comores)", "comorienne"),
        ("Fomboni (Comores)", "comorienne"),
        ("Mamoudzou (Mayotte)", "française"),
    ],
};

static ANTILLEAN: NamePool = NamePool {
    male: &[
        "Jean-Marc", "Jean-Luc", "Jean-Claude", "Patrick", "Thierry", "Frantz", "Ludovic",
        "Dimitri", "Wilfried", "Teddy", "Johan", "Kévin", "Rudy", "Willy", "Jimmy", "Rony",
        "Stevens", "Mickaël", "Yohann", "Gaël", "Lucien", "Harry", "Loïc", "Ruddy", "Cédric",
        "Franck", "Grégory", "Dany", "Jérôme", "Fabien",
    ],
    female: &[
        "Marie-Josée", "Marie-Line", "Nadège", "Sandrine", "Murielle", "Mylène", "Prisca", "Ketty",
        "Laetitia", "Cynthia", "Mélissa", "Sonia", "Josiane", "Joëlle", "Christelle",
    ],
    surnames: &[
        "Alexis", "Anselme", "Bajazet", "Belair", "Belfort", "Bellance", "Bernabé", "Bissainte",
        "Cadet", "Céleste", "Chéry", "Clairicia", "Cornélie", "Daninthe", "Désir", "Désiré",
        "Duféal", "Édouard", "Étienne", "Eugène", "Félicité", "Fidélin", "Gène", "Gustave",
        "Hilaire", "Jabot", "Jean-Baptiste", "Jean-Louis", "Laguerre", "Lollia", "Louisy",
        "Lubeth", "Marie-Sainte", "Moïse", "Nestor", "Numa", "Octave", "Pétrus", "Pierre-Louis",
        "Placide", "Rosette", "Saint-Louis", "Salomon", "Sylvestre", "Théodore", "Ulysse",
        "Vainqueur", "Zénon",
    ],
    birthplaces: &[
        ("Fort-de-France (Martinique)", "française"),
        ("Le Lamentin (Martinique)", "française"),
        ("Cayenne (Guyane)", "française"),
        ("Saint-Martin", "française"),
        ("Port-au-Prince (Haïti)", "haïtienne"),
    ],
};

/// Nicknames as they appear in procedures ("dit « le Grand »").
pub(crate) static ALIASES: &[&str] = &[
    "le Grand", "Doudou", "le Petit", "Tonton", "Bébé", "le Gros", "le Vieux", "le Blond",
    "Kiki", "Titi", "Nono", "Zizou", "le Cousin", "Tintin", "la Fouine", "le Boss", "Rico",
    "Mimi", "Jojo", "Bouboule", "le Rouquin", "Sniper", "Chacal", "le Comptable", "Pitbull",
    "le Lion", "Zorro", "Papy", "le Muet", "Bibi", "le Marseillais", "le Parisien", "le Ch'ti",
    "Vito", "Scar", "Tito", "Lapin", "Mowgli", "Speedy", "Gringo", "le Docteur", "Bambi", "Pipo",
    "Nounours", "Fantôme", "Tchoupi", "le Sage", "Gamin", "Tornade", "Minus",
];

/// A real commune with its postal codes; `weight` is its share of the département's activity.
pub(crate) struct Commune {
    pub name: &'static str,
    pub postal_codes: &'static [&'static str],
    pub weight: u32,
}

const fn commune(name: &'static str, postal_codes: &'static [&'static str], weight: u32) -> Commune {
    Commune { name, postal_codes, weight }
}

pub(crate) static COMMUNES_13: &[Commune] = &[
    commune(
        "Marseille",
        &[
            "13001", "13002", "13003", "13004", "13005", "13010", "13011", "13013", "13014", "13015",
            "13016",
        ],
        60,
    ),
    commune("Aubagne", &["13400"], 6),
    commune("Aix-en-Provence", &["13090", "13100"], 5),
    commune("Marignane", &["13700"], 4),
    commune("Vitrolles", &["13127"], 4),
    commune("Martigues", &["13500"], 3),
    commune("Salon-de-Provence", &["13300"], 3),
    commune("Istres", &["13800"], 2),
    commune("Miramas", &["13140"], 3),
    commune("Arles", &["13200"], 2),
    commune("La Ciotat", &["13600"], 2),
    commune("Port-de-Bouc", &["13110"], 2),
    commune("Septèmes-les-Vallons", &["13240"], 1),
    commune("Gardanne", &["13120"], 1),
];

pub(crate) static COMMUNES_75: &[Commune] = &[commune(
    "Paris",
    &[
        "75010", "75011", "75012", "75013", "75014", "75015", "75017", "75018", "75019", "75020",
    ],
    1,
)];

pub(crate) static COMMUNES_93: &[Commune] = &[
    commune("Saint-Denis", &["93200", "93210"], 10),
    commune("Saint-Ouen-sur-Seine", &["93400"], 6),
    commune("Aubervilliers", &["93300"], 6),
    commune("Bobigny", &["93000"], 4),
    commune("Pantin", &["93500"], 3),
    commune("Montreuil", &["93100"], 4),
    commune("Sevran", &["93270"], 6),
    commune("Aulnay-sous-Bois", &["93600"], 5),
    commune("Clichy-sous-Bois", &["93390"], 3),
    commune("Bondy", &["93140"], 3),
    commune("La Courneuve", &["93120"], 4),
    commune("Stains", &["93240"], 3),
    commune("Épinay-sur-Seine", &["93800"], 3),
    commune("Drancy", &["93700"], 3),
    commune("Tremblay-en-France", &["93290"], 2),
    commune("Villepinte", &["93420"], 2),
    commune("Bagnolet", &["93170"], 2),
];

pub(crate) static COMMUNES_59: &[Commune] = &[
    commune("Lille", &["59000", "59160", "59260", "59800"], 12),
    commune("Roubaix", &["59100"], 10),
    commune("Tourcoing", &["59200"], 7),
    commune("Villeneuve-d'Ascq", &["59491", "59650"], 3),
    commune("Wattrelos", &["59150"], 3),
    commune("Maubeuge", &["59600"], 3),
    commune("Valenciennes", &["59300"], 4),
    commune("Denain", &["59220"], 3),
    commune("Douai", &["59500"], 3),
    commune("Dunkerque", &["59140", "59240"], 4),
    commune("Mons-en-Barœul", &["59370"], 2),
    commune("Hem", &["59510"], 1),
    commune("Loos", &["59120"], 1),
];

pub(crate) static COMMUNES_69: &[Commune] = &[
    commune("Lyon", &["69001", "69003", "69005", "69007", "69008", "69009"], 14),
    commune("Vénissieux", &["69200"], 8),
    commune("Villeurbanne", &["69100"], 6),
    commune("Vaulx-en-Velin", &["69120"], 6),
    commune("Rillieux-la-Pape", &["69140"], 3),
    commune("Bron", &["69500"], 3),
    commune("Saint-Priest", &["69800"], 3),
    commune("Givors", &["69700"], 2),
    commune("Saint-Fons", &["69190"], 2),
    commune("Décines-Charpieu", &["69150"], 2),
    commune("Villefranche-sur-Saône", &["69400"], 2),
];

pub(crate) static COMMUNES_971: &[Commune] = &[
    commune("Les Abymes", &["97139"], 10),
    commune("Pointe-à-Pitre", &["97110"], 8),
    commune("Baie-Mahault", &["97122"], 5),
    commune("Le Gosier", &["97190"], 4),
    commune("Sainte-Anne", &["97180"], 2),
    commune("Le Moule", &["97160"], 3),
    commune("Basse-Terre", &["97100"], 3),
    commune("Capesterre-Belle-Eau", &["97130"], 2),
    commune("Sainte-Rose", &["97115"], 2),
    commune("Petit-Bourg", &["97170"], 2),
    commune("Lamentin", &["97129"], 1),
    commune("Morne-à-l'Eau", &["97111"], 2),
    commune("Saint-François", &["97118"], 1),
];

pub(crate) static STREET_TYPES: &[&str] = &[
    "rue", "rue", "rue", "avenue", "boulevard", "chemin", "impasse", "allée", "place", "traverse",
    "montée", "cours",
];

pub(crate) static STREET_NAMES: &[&str] = &[
    "des Lilas", "du Moulin", "des Écoles", "de la Gare", "du Stade", "des Tisserands",
    "des Vignes", "de la Fontaine", "des Acacias", "Pasteur", "Victor-Hugo", "Jean-Moulin",
    "de la Liberté", "des Peupliers", "de la République", "des Roses", "du Marché", "de l'Église",
    "des Jardins", "du Château", "de la Paix", "des Prés", "du Four", "des Mûriers",
    "de la Poste", "Gambetta", "des Bleuets", "du Canal", "de la Source", "des Cerisiers",
    "Émile-Zola", "Anatole-France", "des Tanneurs", "des Cordiers", "du Levant", "du Couchant",
    "des Pêcheurs", "de la Forge", "des Amandiers", "du Pont", "des Mimosas", "Jules-Ferry",
    "Paul-Éluard", "Louise-Michel", "Aimé-Césaire", "des Artisans", "du Parc", "des Sablons",
    "de la Croix-Rouge", "des Platanes",
];

/// Kinds of place a dealing point is named after, followed by a plural noun from `ESTATE_NAMES`.
pub(crate) static ESTATE_KINDS: &[&str] = &[
    "cité des", "cité des", "résidence des", "quartier des", "square des", "tours des",
    "dalle des", "allée des", "parking de la résidence des",
];

pub(crate) static ESTATE_NAMES: &[&str] = &[
    "Lauriers", "Oliviers", "Peupliers", "Mimosas", "Genêts", "Tamaris", "Acacias", "Cèdres",
    "Platanes", "Bleuets", "Glycines", "Lilas", "Marronniers", "Églantiers", "Amandiers", "Pins",
    "Hortensias", "Jonquilles", "Capucines", "Bosquets", "Hirondelles", "Rossignols", "Mésanges",
    "Fauvettes", "Alouettes", "Cigales", "Sablières", "Tilleuls", "Charmes", "Érables",
    "Bouleaux", "Saules", "Ormes", "Frênes", "Chênes", "Mûriers", "Figuiers", "Orangers",
    "Palmiers", "Lavandes", "Romarins", "Iris", "Tulipes", "Violettes", "Pervenches",
    "Myosotis", "Coquelicots", "Magnolias", "Camélias", "Hibiscus",
];

/// Estate names used in Guadeloupe instead of the metropolitan ones.
pub(crate) static ESTATE_NAMES_971: &[&str] = &[
    "Flamboyants", "Cocotiers", "Manguiers", "Balisiers", "Hibiscus", "Bougainvilliers",
    "Goyaviers", "Raisiniers", "Fromagers", "Alizés", "Colibris", "Palétuviers",
];

pub(crate) static BUILDINGS: &[&str] = &["A", "B", "C", "D", "E", "F", "G", "H", "J", "K"];

pub(crate) static PRODUCTS: &[&str] = &[
    "résine de cannabis",
    "herbe de cannabis",
    "résine et herbe de cannabis",
    "cannabis et cocaïne",
    "cocaïne",
    "cocaïne et crack",
    "héroïne et cocaïne",
    "cannabis, cocaïne et ecstasy",
];

pub(crate) static OPENING_HOURS: &[&str] = &[
    "11 h – 23 h", "10 h – 2 h", "14 h – 1 h", "en continu", "12 h – 22 h", "16 h – 4 h",
];

pub(crate) static COMPANY_FORMS: &[&str] = &["SARL", "SAS", "SASU", "EURL"];

pub(crate) static COMPANY_ACTIVITIES: &[&str] = &[
    "Snack", "Barber", "Lavage auto", "Taxi", "Location de véhicules", "Épicerie", "Bazar",
    "Téléphonie", "Rénovation BTP", "Nettoyage", "Transport", "Import-export",
    "Restauration rapide", "Salon de thé", "Garage", "Livraison", "Sécurité privée",
    "Auto-école", "Tabac presse", "Prêt-à-porter",
];

pub(crate) static COMPANY_SUFFIXES: &[&str] = &[
    "du Centre", "du Port", "Prestige", "Express", "Services", "Premium", "Plus", "de la Gare",
    "du Marché", "Royal", "Élite", "Confort", "Horizon", "Soleil", "Étoile", "Avenir", "Lumière",
    "Océan", "Sud", "Nord",
];

/// (model, premium): premium models go to heads and lieutenants first.
pub(crate) static VEHICLE_MODELS: &[(&str, bool)] = &[
    ("Audi RS3", true),
    ("Mercedes-Benz Classe A 45 AMG", true),
    ("BMW M4", true),
    ("Range Rover Evoque", true),
    ("Porsche Macan", true),
    ("Volkswagen Golf GTI", true),
    ("Seat Leon Cupra", true),
    ("Yamaha TMax (scooter)", true),
    ("Renault Clio", false),
    ("Peugeot 208", false),
    ("Citroën C3", false),
    ("Dacia Sandero", false),
    ("Fiat 500", false),
    ("Renault Mégane", false),
    ("Peugeot 308", false),
    ("Toyota Yaris", false),
    ("Volkswagen Polo", false),
    ("Renault Kangoo", false),
    ("Citroën Berlingo", false),
    ("Yamaha NMax (scooter)", false),
];

pub(crate) static COLORS: &[&str] = &["noir", "blanc", "gris", "gris foncé", "bleu", "rouge", "argent"];

/// French banks: (bank code, name).
pub(crate) static FRENCH_BANKS: &[(&str, &str)] = &[
    ("30004", "BNP Paribas"),
    ("30003", "Société Générale"),
    ("30002", "LCL"),
    ("20041", "La Banque Postale"),
    ("10278", "Crédit Mutuel"),
    ("30066", "CIC"),
    ("16598", "Nickel"),
    ("18206", "Crédit Agricole"),
];

/// Foreign accounts: (country, BBAN length, bank name). BBANs are plain digits.
pub(crate) static FOREIGN_BANKS: &[(&str, usize, &str)] = &[
    ("ES", 20, "Banque espagnole"),
    ("BE", 12, "Banque belge"),
    ("LT", 16, "Néobanque lituanienne"),
    ("DE", 18, "Néobanque allemande"),
    ("PT", 21, "Banque portugaise"),
];

/// Code names of cases ("Affaire Mistral").
pub(crate) static CASE_NAMES: &[&str] = &[
    "Mistral", "Sirocco", "Calanque", "Garrigue", "Tramontane", "Lavande", "Cigale", "Santon",
    "Boussole", "Sextant", "Astrolabe", "Phare", "Balise", "Albatros", "Cormoran", "Goéland",
    "Héron", "Martinet", "Épervier", "Faucon", "Milan", "Busard", "Gerfaut", "Orque", "Espadon",
    "Barracuda", "Murène", "Rascasse", "Girelle", "Dorade", "Marlin", "Triton", "Orion",
    "Pégase", "Andromède", "Cassiopée", "Véga", "Altaïr", "Sirius", "Antarès", "Rigel",
    "Aldébaran", "Comète", "Éclipse", "Zénith", "Nadir", "Solstice", "Équinoxe", "Crépuscule",
    "Carillon", "Beffroi", "Terril", "Canut", "Traboule", "Soufrière", "Mangrove", "Alizé",
    "Colibri", "Flamboyant", "Madras", "Belvédère", "Sémaphore", "Chalutier", "Cabestan",
    "Gouvernail", "Spinnaker", "Mascaret", "Ressac", "Embrun", "Houle", "Basalte", "Obsidienne",
    "Granit", "Quartz", "Silex", "Ardoise", "Mercure", "Cobalt", "Titane", "Tungstène",
];

/// Synthetic names for demo accounts beyond the fixed ones.
pub(crate) static STAFF_FIRST_NAMES: &[&str] = &[
    "Claire", "Olivier", "Nadia", "Pierre", "Sandrine", "Karim", "Anne", "Vincent", "Aïcha",
    "Marc", "Isabelle", "Laurent", "Émilie", "Sébastien", "Fatou", "Guillaume",
];

pub(crate) static STAFF_SURNAMES: &[&str] = &[
    "Aubert", "Peyrac", "Lemonnier", "Costa", "Mahé", "Benkhelifa", "Rivet", "Gallois",
    "Ndiaye", "Castagnet", "Brossard", "Ollivier", "Vidal", "Keller", "Hoarau", "Ferrand",
    "Tessier",
];
