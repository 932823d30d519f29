//! The synthetic world: drug networks of 5 to 15 people around one to three dealing points, with their
//! phones, vehicles, addresses, bank accounts, front companies, crypto wallets and cases, and the typed
//! links between them, as recorded by the services of the demo départements.
//!
//! Shape of a network: a head, one or two lieutenants, a manager per dealing point, sellers and
//! lookouts, a stash keeper and sometimes a courier; some members are relatives. Each network is
//! followed mainly by one lead service, with some records held by other services of the same
//! département, so that the same people appear in several services' files as in real life.
//!
//! Two situations are planted on purpose for later features (see `fixtures`): one person recorded
//! twice, by SD-13 and by DOUANE-13, with a spelling variant; and one phone line used by people of two
//! networks. Everything is drawn from the seed; nothing reads a clock or the environment.

use std::collections::HashSet;

use time::{Date, OffsetDateTime};
use vigie_core::entity::{
    Entity, EntityId, LegalRegime, Link, LinkId, LinkKind, Provenance, Schema,
};
use vigie_core::org::{AccountId, UnitKind};

use crate::dice::Dice;
use crate::fixtures;
use crate::idents::{self, MobileArea};
use crate::lists::{
    self, Commune, Origin, ALIASES, BUILDINGS, CASE_NAMES, COLORS, COMPANY_ACTIVITIES,
    COMPANY_FORMS, COMPANY_SUFFIXES, ESTATE_KINDS, ESTATE_NAMES, ESTATE_NAMES_971, OPENING_HOURS,
    PRODUCTS, STREET_NAMES, STREET_TYPES, VEHICLE_MODELS,
};
use crate::units::{Departement, Org, DEPARTEMENTS};

/// Fewest people for which the planted situations are generated (two networks and the duplicate).
pub const MIN_FIXTURE_PEOPLE: usize = 11;

/// What a member does in the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Head,
    Lieutenant,
    Manager,
    Seller,
    Lookout,
    Stash,
    Courier,
}

impl Role {
    fn label_fr(self) -> &'static str {
        match self {
            Role::Head => "tête de réseau",
            Role::Lieutenant => "lieutenant",
            Role::Manager => "gérant de point de deal",
            Role::Seller => "vendeur (charbonneur)",
            Role::Lookout => "guetteur",
            Role::Stash => "nourrice (stockage)",
            Role::Courier => "convoyeur (go-fast)",
        }
    }

    /// Age range at the recording date.
    fn ages(self) -> (u32, u32) {
        match self {
            Role::Head => (28, 50),
            Role::Lieutenant => (23, 40),
            Role::Manager => (20, 32),
            Role::Seller => (17, 28),
            Role::Lookout => (15, 20),
            Role::Stash => (22, 60),
            Role::Courier => (21, 40),
        }
    }

    /// Share of women, per mille.
    fn women(self) -> u32 {
        match self {
            Role::Stash => 550,
            Role::Courier => 150,
            Role::Lieutenant | Role::Manager | Role::Seller => 50,
            Role::Head | Role::Lookout => 30,
        }
    }

    /// (chance of a vehicle, chance of a second one, premium models first), per mille.
    fn vehicles(self) -> (u32, u32, bool) {
        match self {
            Role::Head => (950, 400, true),
            Role::Lieutenant => (700, 100, true),
            Role::Courier => (900, 300, true),
            Role::Manager => (450, 0, false),
            Role::Stash => (300, 0, false),
            Role::Seller => (150, 0, false),
            Role::Lookout => (100, 0, false),
        }
    }

    /// (chance of a French bank account, chance of a foreign one), per mille.
    fn accounts(self) -> (u32, u32) {
        match self {
            Role::Head => (900, 350),
            Role::Lieutenant => (600, 100),
            Role::Stash => (350, 0),
            Role::Manager | Role::Courier => (250, 30),
            Role::Seller | Role::Lookout => (100, 0),
        }
    }
}

/// Who owns a record and under which regime it was collected.
#[derive(Clone, Copy, Debug)]
struct Owner {
    unit: usize,
    regime: LegalRegime,
}

/// One network being generated.
struct Net {
    dept: usize,
    lead: usize,
    /// Whether OFAST-owned records of this network are judicial (else administrative).
    ofast_judicial: bool,
    commune: &'static Commune,
    network: EntityId,
}

struct Member {
    id: EntityId,
    role: Role,
    point: Option<usize>,
    owner: Owner,
    origin: Origin,
    surname: &'static str,
    address: Option<EntityId>,
    phone_number: String,
    french_account: Option<EntityId>,
    foreign_account: Option<EntityId>,
}

struct Point {
    id: EntityId,
    line: Option<EntityId>,
}

pub(crate) struct World {
    pub entities: Vec<Entity>,
    pub links: Vec<Link>,
}

struct Gen<'a> {
    dice: Dice,
    org: &'a Org,
    recorded_at: OffsetDateTime,
    today: Date,
    source: String,
    fallback_recorder: AccountId,
    entities: Vec<Entity>,
    links: Vec<Link>,
    /// Identifiers already handed out (phones, plates, IBANs, SIREN), so no two records collide by chance.
    used: HashSet<String>,
    case_names: Vec<&'static str>,
    cases: usize,
    procedure_seq: u32,
    /// People generated so far, per département (same order as `DEPARTEMENTS`), with their owner.
    people_by_dept: Vec<Vec<(EntityId, Owner)>>,
}

/// Generates the world for `people` people.
pub(crate) fn generate(org: &Org, seed: u64, people: usize, recorded_at: OffsetDateTime) -> World {
    let mut dice = Dice::new(seed, 2);
    let mut case_names = CASE_NAMES.to_vec();
    dice.shuffle(&mut case_names);
    let procedure_seq = 1_000 + dice.range(0, 5_000);
    let mut generator = Gen {
        dice,
        org,
        recorded_at,
        today: recorded_at.date(),
        source: format!("Données synthétiques (vigie synth, graine {seed})"),
        fallback_recorder: org
            .accounts
            .first()
            .map_or(AccountId(uuid::Uuid::nil()), |demo| demo.account.id),
        entities: Vec::with_capacity(people.saturating_mul(4)),
        links: Vec::with_capacity(people.saturating_mul(8)),
        used: HashSet::with_capacity(people.saturating_mul(3)),
        case_names,
        cases: 0,
        procedure_seq,
        people_by_dept: vec![Vec::new(); DEPARTEMENTS.len()],
    };
    generator.run(people);
    World {
        entities: generator.entities,
        links: generator.links,
    }
}

impl Gen<'_> {
    fn run(&mut self, people: usize) {
        let fixtures = people >= MIN_FIXTURE_PEOPLE;
        let mut remaining = if fixtures { people - 1 } else { people };
        let mut index = 0usize;
        let mut first_network: Option<(Vec<Member>, Vec<Point>)> = None;
        while remaining > 0 {
            let mut size = usize::try_from(self.dice.range(5, 15))
                .unwrap_or(5)
                .min(remaining);
            if fixtures && index == 0 {
                // Leave room for a second network in the same département.
                size = size.min(remaining - 5);
            } else if remaining - size < 5 {
                size = if remaining <= 15 {
                    remaining
                } else {
                    remaining - 5
                };
            }
            remaining -= size;

            // The first networks visit every demo département (the first two in the 13 when the
            // planted situations need them), so every département has data even in a small set.
            let visited = if fixtures {
                index.checked_sub(1)
            } else {
                Some(index)
            };
            let dept = match visited {
                None => 0,
                Some(order) if order < DEPARTEMENTS.len() => order,
                Some(_) => self.pick_dept(),
            };
            let lead = match (fixtures, index) {
                (true, 0) => self.dept_units(dept).0,
                (true, 1) => self.dept_units(dept).1,
                _ => self.pick_lead(dept),
            };
            let (members, points) = self.network(dept, lead, size, fixtures && index == 0);
            if fixtures && index == 0 {
                first_network = Some((members, points));
            } else if fixtures && index == 1 {
                if let Some((_, first_points)) = &first_network {
                    self.plant_shared_line(first_points, &members, dept);
                }
            }
            index += 1;
        }
        self.cross_network_associates();
        if let Some((members, _)) = &first_network {
            if let Some(original) = members.get(1) {
                let number = original.phone_number.clone();
                self.plant_customs_duplicate(&number);
            }
        }
    }

    // ----- choosing départements, units and regimes ------------------------------------------

    fn pick_dept(&mut self) -> usize {
        let weights: Vec<(usize, u32)> = DEPARTEMENTS
            .iter()
            .enumerate()
            .map(|(i, dept)| (i, dept.weight))
            .collect();
        self.dice.weighted(&weights).copied().unwrap_or(0)
    }

    fn departement(dept: usize) -> &'static Departement {
        DEPARTEMENTS.get(dept).unwrap_or(&DEPARTEMENTS[0])
    }

    fn dept_code(dept: usize) -> &'static str {
        Self::departement(dept).code
    }

    /// (police, gendarmerie, customs, cross, antenna or OFAST) of a département.
    fn dept_units(&self, dept: usize) -> (usize, usize, usize, usize, usize) {
        match self.org.depts.get(dept) {
            Some(units) => (
                units.police,
                units.gendarmerie,
                units.customs,
                units.cross,
                units.antenna.unwrap_or(self.org.ofast),
            ),
            None => (
                self.org.ofast,
                self.org.ofast,
                self.org.ofast,
                self.org.ofast,
                self.org.ofast,
            ),
        }
    }

    fn pick_lead(&mut self, dept: usize) -> usize {
        let (police, gendarmerie, customs, cross, ofast) = self.dept_units(dept);
        let choices = [
            (police, 45),
            (gendarmerie, 25),
            (customs, 10),
            (cross, 10),
            (ofast, 10),
        ];
        self.dice.weighted(&choices).copied().unwrap_or(police)
    }

    /// Another service of the département that also holds records on the network.
    fn pick_side(&mut self, dept: usize) -> usize {
        let (police, gendarmerie, customs, cross, ofast) = self.dept_units(dept);
        let choices = [
            (cross, 35),
            (police, 25),
            (gendarmerie, 20),
            (customs, 15),
            (ofast, 5),
        ];
        self.dice.weighted(&choices).copied().unwrap_or(cross)
    }

    fn kind_of(&self, unit: usize) -> UnitKind {
        self.org
            .unit(unit)
            .map_or(UnitKind::Police, |unit| unit.kind)
    }

    fn owner_of(&self, unit: usize, net: &Net) -> Owner {
        let regime = match self.kind_of(unit) {
            UnitKind::Police | UnitKind::Gendarmerie | UnitKind::Parquet | UnitKind::Jirs => {
                LegalRegime::Judicial
            }
            UnitKind::Customs => LegalRegime::Customs,
            UnitKind::Ofast | UnitKind::OfastAntenna if net.ofast_judicial => LegalRegime::Judicial,
            UnitKind::Partner => LegalRegime::Partner,
            UnitKind::Cross
            | UnitKind::Ofast
            | UnitKind::OfastAntenna
            | UnitKind::Inspection
            | UnitKind::Administration => LegalRegime::Administrative,
        };
        Owner { unit, regime }
    }

    /// The lead service most of the time, another service of the département otherwise.
    fn record_owner(&mut self, net: &Net) -> Owner {
        let unit = if self.dice.chance(750) {
            net.lead
        } else {
            self.pick_side(net.dept)
        };
        self.owner_of(unit, net)
    }

    // ----- records ----------------------------------------------------------------------------

    fn provenance(&mut self, owner: Owner) -> Provenance {
        let unit = self.org.unit(owner.unit);
        let recorders = self
            .org
            .recorders
            .get(owner.unit)
            .map_or(&[][..], Vec::as_slice);
        let recorded_by = self
            .dice
            .pick_ref(recorders)
            .copied()
            .unwrap_or(self.fallback_recorder);
        Provenance {
            recorded_by,
            unit: unit.map_or(vigie_core::org::UnitId(uuid::Uuid::nil()), |unit| unit.id),
            source: self.source.clone(),
            recorded_at: self.recorded_at,
        }
    }

    fn unit_id(&self, owner: Owner) -> vigie_core::org::UnitId {
        self.org
            .unit(owner.unit)
            .map_or(vigie_core::org::UnitId(uuid::Uuid::nil()), |unit| unit.id)
    }

    fn entity(
        &mut self,
        schema: Schema,
        properties: Vec<(&'static str, String)>,
        owner: Owner,
        dept: usize,
    ) -> EntityId {
        let id = EntityId(self.dice.uuid());
        let mut map = vigie_core::entity::Properties::new();
        for (name, value) in properties {
            let values = map.entry(name.to_owned()).or_default();
            if !values.contains(&value) {
                values.push(value);
            }
        }
        let provenance = self.provenance(owner);
        self.entities.push(Entity {
            id,
            schema,
            properties: map,
            owner_unit: self.unit_id(owner),
            departement: Some(Self::dept_code(dept).to_owned()),
            regime: owner.regime,
            provenance,
            version: 1,
        });
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn link(
        &mut self,
        kind: LinkKind,
        source: EntityId,
        target: EntityId,
        start: Option<Date>,
        end: Option<Date>,
        owner: Owner,
        dept: usize,
    ) {
        let id = LinkId(self.dice.uuid());
        let provenance = self.provenance(owner);
        self.links.push(Link {
            id,
            kind,
            source,
            target,
            start,
            end,
            owner_unit: self.unit_id(owner),
            departement: Some(Self::dept_code(dept).to_owned()),
            regime: owner.regime,
            provenance,
        });
    }

    /// A date between `min_days` and `max_days` days before the recording date.
    fn past(&mut self, min_days: u32, max_days: u32) -> Date {
        self.dice.days_before(self.today, min_days, max_days)
    }

    /// Draws with `make` until the value has not been used yet (a few tries, then accepts it).
    fn fresh(&mut self, make: impl Fn(&mut Dice) -> String) -> String {
        let mut value = make(&mut self.dice);
        for _ in 0..16 {
            if self.used.insert(value.clone()) {
                break;
            }
            value = make(&mut self.dice);
        }
        value
    }

    // ----- one network ------------------------------------------------------------------------

    /// Generates one network of `size` people; returns its members and dealing points.
    fn network(
        &mut self,
        dept: usize,
        lead: usize,
        size: usize,
        plant: bool,
    ) -> (Vec<Member>, Vec<Point>) {
        let departement = Self::departement(dept);
        let communes: Vec<(&'static Commune, u32)> = departement
            .communes
            .iter()
            .map(|commune| (commune, commune.weight))
            .collect();
        let commune = self
            .dice
            .weighted(&communes)
            .copied()
            .unwrap_or(&lists::FALLBACK_COMMUNE);
        let mut net = Net {
            dept,
            lead,
            ofast_judicial: self.dice.chance(500),
            commune,
            network: EntityId(uuid::Uuid::nil()),
        };
        let product = self.dice.pick(PRODUCTS);
        let point_count = match size {
            0..=7 => 1,
            8..=11 => 1 + usize::from(self.dice.chance(400)),
            _ => 2 + usize::from(self.dice.chance(350)),
        };

        // Dealing points, mostly on the CROSS's map, and their order lines.
        let mut estates = Vec::with_capacity(point_count);
        let mut points = Vec::with_capacity(point_count);
        for number in 0..point_count {
            let estate = self.estate(dept);
            let point = self.dealing_point(&net, &estate, product);
            let line = if (plant && number == 0) || self.dice.chance(700) {
                let area = self.mobile_area(dept);
                let value = self.fresh(|dice| idents::mobile(dice, area));
                let owner = self.record_owner(&net);
                Some(self.entity(
                    Schema::Phone,
                    vec![
                        ("number", value),
                        (
                            "notes",
                            format!("Ligne de commande du point de deal « {estate} »"),
                        ),
                    ],
                    owner,
                    dept,
                ))
            } else {
                None
            };
            estates.push(estate);
            points.push(Point { id: point, line });
        }

        // Members, head first; managers take one point each, sellers and lookouts share them out.
        let roles = self.roles(size, point_count);
        let head_alias = self.dice.chance(450).then(|| self.dice.pick(ALIASES));
        let mut members: Vec<Member> = Vec::with_capacity(size);
        let mut managers = 0usize;
        for (position, role) in roles.iter().copied().enumerate() {
            let point = match role {
                Role::Manager => {
                    managers += 1;
                    Some((managers - 1).min(point_count.saturating_sub(1)))
                }
                Role::Seller | Role::Lookout => Some(position % point_count.max(1)),
                _ => None,
            };
            let alias = if position == 0 { head_alias } else { None };
            let member = self.member(&net, role, point, plant && position == 1, &members, alias);
            members.push(member);
        }

        // The network itself, owned by its lead service, named after its turf, its head or his family.
        let lead_owner = self.owner_of(lead, &net);
        let turf = estates
            .first()
            .map_or_else(|| "cité des Lauriers".to_owned(), |e| of_place(e));
        let name = match (self.dice.below(10), head_alias) {
            (0..=4, _) | (5..=7, None) => format!("Réseau {turf}"),
            (5..=7, Some(alias)) => format!("Réseau « {alias} »"),
            _ => format!(
                "Clan {}",
                members
                    .first()
                    .map_or("X", |head| head.surname)
                    .to_uppercase()
            ),
        };
        let turnover = crate::group(usize::try_from(self.dice.range(3, 60) * 1_000).unwrap_or(0));
        let notes = format!(
            "Produits : {product}. Chiffre d'affaires estimé : {turnover} € par jour. Implantation : {}.",
            commune.name
        );
        net.network = self.entity(
            Schema::Network,
            vec![("name", name), ("notes", notes)],
            lead_owner,
            dept,
        );
        for point in &points {
            let since = self.past(90, 1_500);
            self.link(
                LinkKind::Operates,
                net.network,
                point.id,
                Some(since),
                None,
                lead_owner,
                dept,
            );
        }

        self.member_links(&net, &members, &points);
        self.company(&net, &members);
        self.wallet(&net, &members);
        self.case(&net, &members);
        if let Some(list) = self.people_by_dept.get_mut(dept) {
            list.extend(members.iter().map(|member| (member.id, member.owner)));
        }
        (members, points)
    }

    fn dealing_point(&mut self, net: &Net, estate: &str, product: &str) -> EntityId {
        let unit = if self.dice.chance(550) {
            self.dept_units(net.dept).3
        } else {
            net.lead
        };
        let owner = self.owner_of(unit, net);
        let building = self.dice.pick(BUILDINGS);
        let postal = self.postal_code(net.commune);
        let hours = self.dice.pick(OPENING_HOURS);
        let lookouts = self.dice.range(2, 8);
        self.entity(
            Schema::DealingPoint,
            vec![
                ("name", format!("Point de deal — {estate}")),
                (
                    "address",
                    format!("Pied du bâtiment {building}, {estate}, {postal} {}", net.commune.name),
                ),
                ("city", net.commune.name.to_owned()),
                (
                    "notes",
                    format!(
                        "Produits : {product} ; horaires : {hours} ; {lookouts} guetteurs signalés aux entrées."
                    ),
                ),
            ],
            owner,
            net.dept,
        )
    }

    /// The roles of a network of `size` people with `points` dealing points, head first.
    fn roles(&mut self, size: usize, points: usize) -> Vec<Role> {
        let mut roles = Vec::with_capacity(size);
        roles.push(Role::Head);
        let lieutenants = if size >= 9 { 2 } else { 1 };
        roles.extend(std::iter::repeat_n(Role::Lieutenant, lieutenants));
        roles.extend(std::iter::repeat_n(Role::Manager, points));
        if size >= 6 {
            roles.push(Role::Stash);
        }
        if size >= 10 {
            roles.push(Role::Courier);
        }
        while roles.len() < size {
            roles.push(if self.dice.chance(550) {
                Role::Seller
            } else {
                Role::Lookout
            });
        }
        roles.truncate(size);
        roles
    }

    /// A place name such as "cité des Lauriers".
    fn estate(&mut self, dept: usize) -> String {
        let kind = self.dice.pick(ESTATE_KINDS);
        let names = if Self::dept_code(dept) == "971" {
            ESTATE_NAMES_971
        } else {
            ESTATE_NAMES
        };
        format!("{kind} {}", self.dice.pick(names))
    }

    fn postal_code(&mut self, commune: &Commune) -> &'static str {
        let codes = commune.postal_codes;
        self.dice.pick(codes)
    }

    fn mobile_area(&mut self, dept: usize) -> MobileArea {
        if Self::dept_code(dept) == "971" {
            match self.dice.below(100) {
                0..=84 => MobileArea::Guadeloupe,
                85..=92 => MobileArea::Martinique,
                _ => MobileArea::Metropolitan,
            }
        } else if self.dice.chance(15) {
            MobileArea::Reunion
        } else {
            MobileArea::Metropolitan
        }
    }

    fn birth_date(&mut self, role: Role) -> String {
        let (youngest, oldest) = role.ages();
        let age = i32::try_from(self.dice.range(youngest, oldest)).unwrap_or(30);
        let year = self.today.year() - age;
        let month = u8::try_from(self.dice.range(1, 12)).unwrap_or(1);
        let last_day = time::Month::try_from(month).map_or(28, |m| m.length(year));
        let day = self.dice.range(1, u32::from(last_day));
        format!("{year:04}-{month:02}-{day:02}")
    }

    /// A residential address in the network's commune (sometimes elsewhere in the département).
    fn address(&mut self, net: &Net, owner: Owner, estate_resident: bool) -> EntityId {
        let departement = Self::departement(net.dept);
        let commune = if self.dice.chance(800) {
            net.commune
        } else {
            let communes: Vec<(&'static Commune, u32)> =
                departement.communes.iter().map(|c| (c, c.weight)).collect();
            self.dice
                .weighted(&communes)
                .copied()
                .unwrap_or(net.commune)
        };
        let postal = self.postal_code(commune);
        let street = if estate_resident {
            let estate = self.estate(net.dept);
            format!(
                "Bâtiment {}, appartement {}, {estate}",
                self.dice.pick(BUILDINGS),
                self.dice.range(1, 120)
            )
        } else {
            let number = self.dice.range(1, 180);
            let suffix = if self.dice.chance(80) { " bis" } else { "" };
            format!(
                "{number}{suffix} {} {}",
                self.dice.pick(STREET_TYPES),
                self.dice.pick(STREET_NAMES)
            )
        };
        self.entity(
            Schema::Address,
            vec![
                ("full", format!("{street}, {postal} {}", commune.name)),
                ("postalCode", postal.to_owned()),
                ("city", commune.name.to_owned()),
            ],
            owner,
            net.dept,
        )
    }

    fn origin(&mut self, dept: usize) -> Origin {
        let origins = Self::departement(dept).origins;
        self.dice
            .weighted(origins)
            .copied()
            .unwrap_or(Origin::French)
    }

    /// One member and the records that hang off them (phone, address, vehicles, accounts).
    fn member(
        &mut self,
        net: &Net,
        role: Role,
        point: Option<usize>,
        planted: bool,
        earlier: &[Member],
        alias: Option<&'static str>,
    ) -> Member {
        let dept = net.dept;
        let owner = if planted {
            self.owner_of(net.lead, net)
        } else {
            self.record_owner(net)
        };
        // A quarter of members are relatives of someone already in the network.
        let relative = if !planted && !earlier.is_empty() && self.dice.chance(250) {
            self.dice
                .pick_ref(earlier)
                .map(|m| (m.id, m.origin, m.surname, m.address))
        } else {
            None
        };
        let origin = relative.map_or_else(|| self.origin(dept), |(_, origin, _, _)| origin);
        let pool = lists::pool(origin);
        let female = self.dice.chance(role.women());
        let (first, surname) = if planted {
            (fixtures::ORIGINAL_FIRST_NAME, fixtures::ORIGINAL_SURNAME)
        } else {
            let first = self.dice.pick(if female { pool.female } else { pool.male });
            let surname = relative.map_or_else(
                || self.dice.pick(pool.surnames),
                |(_, _, surname, _)| surname,
            );
            (first, surname)
        };
        let birth = if planted {
            fixtures::BIRTH_DATE.to_owned()
        } else {
            self.birth_date(role)
        };
        let (birthplace, nationality) = if planted {
            ("Marseille", "française")
        } else {
            match self.dice.below(100) {
                0..=71 => {
                    let communes = Self::departement(dept).communes;
                    (
                        self.dice.pick_ref(communes).map_or("Marseille", |c| c.name),
                        "française",
                    )
                }
                72..=83 => (
                    self.dice
                        .pick_ref(lists::pool(Origin::French).birthplaces)
                        .map_or("Lyon", |p| p.0),
                    "française",
                ),
                _ => {
                    let (place, nationality) = self
                        .dice
                        .pick_ref(pool.birthplaces)
                        .copied()
                        .unwrap_or(("Marseille", "française"));
                    (
                        place,
                        if self.dice.chance(550) {
                            nationality
                        } else {
                            "française"
                        },
                    )
                }
            }
        };
        let mut properties = vec![
            ("name", format!("{first} {}", surname.to_uppercase())),
            ("firstName", first.to_owned()),
            ("lastName", surname.to_owned()),
            ("birthDate", birth),
            ("birthPlace", birthplace.to_owned()),
            ("nationality", nationality.to_owned()),
            ("notes", format!("Rôle présumé : {}.", role.label_fr())),
        ];
        let alias = alias.or_else(|| self.dice.chance(220).then(|| self.dice.pick(ALIASES)));
        if let Some(alias) = alias {
            properties.push(("alias", alias.to_owned()));
        }
        let id = self.entity(Schema::Person, properties, owner, dept);

        if let Some((relative_id, _, _, _)) = relative {
            self.link(LinkKind::Family, id, relative_id, None, None, owner, dept);
        }

        // Address: relatives often share theirs.
        let address = match relative.and_then(|(_, _, _, address)| address) {
            Some(shared) if self.dice.chance(500) => shared,
            _ => {
                let record = self.record_owner(net);
                let in_estate = matches!(
                    role,
                    Role::Seller | Role::Lookout | Role::Stash | Role::Manager
                ) && self.dice.chance(450);
                self.address(net, record, in_estate)
            }
        };
        let since = self.past(200, 4_000);
        self.link(
            LinkKind::Resident,
            id,
            address,
            Some(since),
            None,
            owner,
            dept,
        );
        if role == Role::Head && self.dice.chance(400) {
            let record = self.record_owner(net);
            let second = self.address(net, record, false);
            let since = self.past(30, 900);
            self.link(
                LinkKind::Resident,
                id,
                second,
                Some(since),
                None,
                owner,
                dept,
            );
        }

        // Phones: one current line, sometimes a second, sometimes an older one no longer used.
        let area = self.mobile_area(dept);
        let phone_number = self.fresh(|dice| idents::mobile(dice, area));
        let record = if planted {
            owner
        } else {
            self.record_owner(net)
        };
        let phone = self.entity(
            Schema::Phone,
            vec![("number", phone_number.clone())],
            record,
            dept,
        );
        let since = self.past(20, 700);
        self.link(
            LinkKind::PhoneUser,
            id,
            phone,
            Some(since),
            None,
            owner,
            dept,
        );
        let extra_lines = match role {
            Role::Head | Role::Lieutenant => 2,
            _ => 1,
        };
        for _ in 0..extra_lines {
            if self.dice.chance(300) {
                let number = self.fresh(|dice| idents::mobile(dice, area));
                let record = self.record_owner(net);
                let line = self.entity(Schema::Phone, vec![("number", number)], record, dept);
                let start = self.past(400, 1_500);
                let end = if self.dice.chance(600) {
                    Some(self.past(30, 380))
                } else {
                    None
                };
                self.link(LinkKind::PhoneUser, id, line, Some(start), end, owner, dept);
            }
        }

        // Vehicles.
        let (first_car, second_car, premium) = role.vehicles();
        for chance in [first_car, second_car] {
            if self.dice.chance(chance) {
                self.vehicle(net, id, owner, premium);
            }
        }

        // Bank accounts.
        let (french, foreign) = role.accounts();
        let french_account = self
            .dice
            .chance(french)
            .then(|| self.bank_account(net, id, owner, false));
        let foreign_account = self
            .dice
            .chance(foreign)
            .then(|| self.bank_account(net, id, owner, true));

        Member {
            id,
            role,
            point,
            owner,
            origin,
            surname,
            address: Some(address),
            phone_number,
            french_account,
            foreign_account,
        }
    }

    fn vehicle(&mut self, net: &Net, person: EntityId, owner: Owner, premium: bool) -> EntityId {
        let models: Vec<(&str, u32)> = VEHICLE_MODELS
            .iter()
            .map(|(model, is_premium)| (*model, if *is_premium == premium { 3 } else { 1 }))
            .collect();
        let model = self
            .dice
            .weighted(&models)
            .copied()
            .unwrap_or("Renault Clio");
        let plate = self.fresh(idents::plate);
        let record = self.record_owner(net);
        let mut properties = vec![
            ("registrationNumber", plate),
            ("model", model.to_owned()),
            ("color", self.dice.pick(COLORS).to_owned()),
        ];
        if self.dice.chance(150) {
            properties.push((
                "notes",
                "Véhicule de location, loué au nom d'un tiers.".to_owned(),
            ));
        }
        let vehicle = self.entity(Schema::Vehicle, properties, record, net.dept);
        let since = self.past(30, 1_200);
        self.link(
            LinkKind::Owner,
            person,
            vehicle,
            Some(since),
            None,
            owner,
            net.dept,
        );
        vehicle
    }

    fn bank_account(
        &mut self,
        net: &Net,
        holder: EntityId,
        owner: Owner,
        foreign: bool,
    ) -> EntityId {
        let (mut iban, mut bank) = idents::iban(&mut self.dice, foreign);
        for _ in 0..16 {
            if self.used.insert(iban.clone()) {
                break;
            }
            (iban, bank) = idents::iban(&mut self.dice, foreign);
        }
        let unit = if self.dice.chance(500) {
            net.lead
        } else {
            self.pick_side(net.dept)
        };
        let record = self.owner_of(unit, net);
        let account = self.entity(
            Schema::BankAccount,
            vec![("iban", iban), ("bankName", bank.to_owned())],
            record,
            net.dept,
        );
        let since = self.past(200, 3_000);
        self.link(
            LinkKind::Owner,
            holder,
            account,
            Some(since),
            None,
            owner,
            net.dept,
        );
        account
    }

    /// Hierarchy, family and dealing-point links inside one network.
    fn member_links(&mut self, net: &Net, members: &[Member], points: &[Point]) {
        let dept = net.dept;
        let Some(head) = members.first() else {
            return;
        };
        let lieutenants: Vec<EntityId> = members
            .iter()
            .filter(|m| m.role == Role::Lieutenant)
            .map(|m| m.id)
            .collect();
        for member in members {
            let joined = self.past(60, 1_800);
            self.link(
                LinkKind::Member,
                member.id,
                net.network,
                Some(joined),
                None,
                member.owner,
                dept,
            );
            let superior = match member.role {
                Role::Head => None,
                Role::Lieutenant | Role::Courier => Some(head.id),
                Role::Manager | Role::Stash => {
                    self.dice.pick_ref(&lieutenants).copied().or(Some(head.id))
                }
                Role::Seller | Role::Lookout => members
                    .iter()
                    .find(|m| m.role == Role::Manager && m.point == member.point)
                    .map(|m| m.id)
                    .or(Some(head.id)),
            };
            if let Some(superior) = superior {
                self.link(
                    LinkKind::Associate,
                    member.id,
                    superior,
                    None,
                    None,
                    member.owner,
                    dept,
                );
            }
            let operated: Vec<&Point> = match member.role {
                Role::Head => points.iter().collect(),
                Role::Manager | Role::Seller | Role::Lookout => member
                    .point
                    .and_then(|p| points.get(p))
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            };
            for point in operated {
                let since = self.past(30, 1_000);
                self.link(
                    LinkKind::Operates,
                    member.id,
                    point.id,
                    Some(since),
                    None,
                    member.owner,
                    dept,
                );
                if matches!(member.role, Role::Manager | Role::Seller) {
                    if let Some(line) = point.line {
                        let since = self.past(10, 400);
                        self.link(
                            LinkKind::PhoneUser,
                            member.id,
                            line,
                            Some(since),
                            None,
                            member.owner,
                            dept,
                        );
                    }
                }
            }
        }
    }

    /// Sometimes a front company run by the head or a relative, its account and a few payments.
    fn company(&mut self, net: &Net, members: &[Member]) {
        if members.len() < 7 || !self.dice.chance(500) {
            return;
        }
        let dept = net.dept;
        let director = if self.dice.chance(400) {
            members.first()
        } else {
            members
                .iter()
                .find(|m| m.role == Role::Stash)
                .or_else(|| members.iter().find(|m| m.role == Role::Lieutenant))
        };
        let Some(director) = director else {
            return;
        };
        let activity = self.dice.pick(COMPANY_ACTIVITIES);
        let name = format!(
            "{} {activity} {}",
            self.dice.pick(COMPANY_FORMS),
            self.dice.pick(COMPANY_SUFFIXES)
        );
        let siren = self.fresh(idents::siren);
        let postal = self.postal_code(net.commune);
        let street = format!(
            "{} {} {}",
            self.dice.range(1, 150),
            self.dice.pick(STREET_TYPES),
            self.dice.pick(STREET_NAMES)
        );
        let owner = self.record_owner(net);
        let company = self.entity(
            Schema::Company,
            vec![
                ("name", name),
                ("registrationNumber", siren),
                ("address", format!("{street}, {postal} {}", net.commune.name)),
                (
                    "notes",
                    "Société de façade présumée : dépôts d'espèces sans rapport avec l'activité déclarée."
                        .to_owned(),
                ),
            ],
            owner,
            dept,
        );
        let since = self.past(180, 2_500);
        self.link(
            LinkKind::Director,
            director.id,
            company,
            Some(since),
            None,
            owner,
            dept,
        );
        let account = self.bank_account(net, company, owner, false);

        // Payments into the company account, then out to the head's foreign (or French) account.
        let payers: Vec<EntityId> = members
            .iter()
            .filter(|m| matches!(m.role, Role::Lieutenant | Role::Manager | Role::Stash))
            .filter_map(|m| m.french_account)
            .collect();
        for payer in payers {
            for _ in 0..self.dice.range(1, 3) {
                let day = self.past(5, 700);
                self.link(
                    LinkKind::Payment,
                    payer,
                    account,
                    Some(day),
                    Some(day),
                    owner,
                    dept,
                );
            }
        }
        if let Some(head) = members.first() {
            if let Some(target) = head.foreign_account.or(head.french_account) {
                for _ in 0..self.dice.range(1, 4) {
                    let day = self.past(5, 600);
                    self.link(
                        LinkKind::Payment,
                        account,
                        target,
                        Some(day),
                        Some(day),
                        owner,
                        dept,
                    );
                }
            }
        }
    }

    /// Sometimes a crypto wallet held by the head or a lieutenant.
    fn wallet(&mut self, net: &Net, members: &[Member]) {
        if members.len() < 8 || !self.dice.chance(250) {
            return;
        }
        let holder = members
            .iter()
            .filter(|m| matches!(m.role, Role::Head | Role::Lieutenant))
            .nth(self.dice.below(2))
            .or_else(|| members.first());
        let Some(holder) = holder else {
            return;
        };
        let (key, currency) = if self.dice.chance(650) {
            (idents::bitcoin_address(&mut self.dice), "BTC")
        } else {
            (idents::ethereum_address(&mut self.dice), "USDT (ERC-20)")
        };
        let owner = self.record_owner(net);
        let wallet = self.entity(
            Schema::CryptoWallet,
            vec![
                ("publicKey", key),
                ("currency", currency.to_owned()),
                (
                    "notes",
                    "Adresse relevée lors de l'exploitation d'un téléphone saisi.".to_owned(),
                ),
            ],
            owner,
            net.dept,
        );
        let since = self.past(30, 900);
        self.link(
            LinkKind::Owner,
            holder.id,
            wallet,
            Some(since),
            None,
            holder.owner,
            net.dept,
        );
    }

    /// Most networks have a case: a named procedure under a parquet, a JIRS or customs.
    fn case(&mut self, net: &Net, members: &[Member]) {
        if !self.dice.chance(700) {
            return;
        }
        let dept = net.dept;
        let departement = Self::departement(dept);
        // Cases are judicial or customs procedures: a CROSS-led network's case sits with the police.
        let unit = match self.kind_of(net.lead) {
            UnitKind::Cross => self.dept_units(dept).0,
            _ => net.lead,
        };
        let mut owner = self.owner_of(unit, net);
        if owner.regime == LegalRegime::Administrative {
            owner.regime = LegalRegime::Judicial;
        }
        let code_name = self
            .case_names
            .get(self.cases % self.case_names.len().max(1))
            .copied()
            .unwrap_or("Mistral");
        let round = self.cases / self.case_names.len().max(1);
        self.cases += 1;
        let name = if round == 0 {
            format!("Affaire {code_name}")
        } else {
            format!("Affaire {code_name} {}", round + 1)
        };
        let opened = self.past(30, 1_100);
        self.procedure_seq += self.dice.range(1, 40);
        let unit_code = self.org.unit(unit).map_or("SD", |u| u.code.as_str());
        let procedure = format!("{unit_code} {}/{:06}", opened.year(), self.procedure_seq);
        let jirs = self.org.depts.get(dept).and_then(|units| units.jirs);
        let notes = if owner.regime == LegalRegime::Customs {
            format!(
                "Enquête douanière (code des douanes), avis au parquet de {}.",
                departement.court
            )
        } else if let (Some(jirs), true) = (jirs, self.dice.chance(350)) {
            let name = self.org.unit(jirs).map_or("JIRS", |u| u.name.as_str());
            let seat = name.split(" (").next().unwrap_or(name);
            format!("Information judiciaire suivie par la {seat}.")
        } else if self.dice.chance(500) {
            format!(
                "Enquête préliminaire sous la direction du parquet de {}.",
                departement.court
            )
        } else {
            format!(
                "Information judiciaire ouverte au tribunal judiciaire de {}.",
                departement.court
            )
        };
        let case = self.entity(
            Schema::Case,
            vec![
                ("name", name),
                ("procedureNumber", procedure),
                ("openedOn", format!("{opened}")),
                ("notes", notes),
            ],
            owner,
            dept,
        );
        self.link(
            LinkKind::Involved,
            net.network,
            case,
            Some(opened),
            None,
            owner,
            dept,
        );
        for member in members {
            let involved =
                matches!(member.role, Role::Head | Role::Lieutenant) || self.dice.chance(500);
            if involved {
                self.link(
                    LinkKind::Involved,
                    member.id,
                    case,
                    Some(opened),
                    None,
                    owner,
                    dept,
                );
            }
        }
    }

    /// A few acquaintances between networks of the same département (prison, neighbourhood).
    fn cross_network_associates(&mut self) {
        for dept in 0..self.people_by_dept.len() {
            let people = self.people_by_dept.get(dept).cloned().unwrap_or_default();
            let count = people.len() / 40;
            for _ in 0..count {
                let (Some(&(a, owner)), Some(&(b, _))) =
                    (self.dice.pick_ref(&people), self.dice.pick_ref(&people))
                else {
                    continue;
                };
                if a != b {
                    self.link(LinkKind::Associate, a, b, None, None, owner, dept);
                }
            }
        }
    }

    // ----- planted situations -----------------------------------------------------------------

    /// A member of the second network also uses the order line of the first network's first point.
    fn plant_shared_line(&mut self, first_points: &[Point], members: &[Member], dept: usize) {
        let Some(line) = first_points.first().and_then(|point| point.line) else {
            return;
        };
        let user = members
            .iter()
            .find(|m| m.role == Role::Seller)
            .or_else(|| members.iter().find(|m| m.role != Role::Head))
            .or_else(|| members.first());
        if let Some(user) = user {
            let since = self.past(10, 200);
            self.link(
                LinkKind::PhoneUser,
                user.id,
                line,
                Some(since),
                None,
                user.owner,
                dept,
            );
        }
    }

    /// The same man as the first network's lieutenant, recorded by customs with another spelling,
    /// the same birth date and his phone number in their own record.
    fn plant_customs_duplicate(&mut self, number: &str) {
        let dept = 0;
        let customs = self.dept_units(dept).2;
        let owner = Owner {
            unit: customs,
            regime: LegalRegime::Customs,
        };
        let person = self.entity(
            Schema::Person,
            vec![
                ("name", format!("{} {}", fixtures::DUPLICATE_FIRST_NAME, fixtures::DUPLICATE_SURNAME)),
                ("firstName", fixtures::DUPLICATE_FIRST_NAME.to_owned()),
                ("lastName", fixtures::DUPLICATE_SURNAME.to_owned()),
                ("birthDate", fixtures::BIRTH_DATE.to_owned()),
                ("nationality", "française".to_owned()),
                (
                    "notes",
                    "Contrôlé au péage de Lançon-de-Provence (A7) au volant d'un véhicule de location ; \
                     12 400 € en espèces non déclarés."
                        .to_owned(),
                ),
            ],
            owner,
            dept,
        );
        let phone = self.entity(
            Schema::Phone,
            vec![("number", number.to_owned())],
            owner,
            dept,
        );
        let checked = self.past(20, 120);
        self.link(
            LinkKind::PhoneUser,
            person,
            phone,
            Some(checked),
            None,
            owner,
            dept,
        );
        let plate = self.fresh(idents::plate);
        let vehicle = self.entity(
            Schema::Vehicle,
            vec![
                ("registrationNumber", plate),
                ("model", "Volkswagen Golf GTI".to_owned()),
                ("color", "noir".to_owned()),
                ("notes", "Véhicule de location.".to_owned()),
            ],
            owner,
            dept,
        );
        self.link(
            LinkKind::Owner,
            person,
            vehicle,
            Some(checked),
            Some(checked),
            owner,
            dept,
        );
    }
}

/// "cité des Lauriers" → "de la cité des Lauriers"; "quartier des Pins" → "du quartier des Pins".
fn of_place(place: &str) -> String {
    let first = place.split(' ').next().unwrap_or("");
    match first {
        "quartier" | "square" | "parking" => format!("du {place}"),
        _ if first.starts_with(['a', 'e', 'é', 'i', 'o', 'u']) => format!("de l'{place}"),
        _ => format!("de la {place}"),
    }
}
