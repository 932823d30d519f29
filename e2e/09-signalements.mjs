// Reports of drug dealing, from the resident to the CROSS and its partners.
// 1. An anonymous resident (no sign-in) reads what is kept and what is not on /signaler, fills the
//    form (category, Marseille from the commune suggestions, place, description, a day, a slot) and
//    sends it: the page solves the anti-robot proof of work, then shows a 16-digit receipt code; no
//    cookie was ever set. /suivi with that code says « Reçu ».
// 2. analyste.cross13 sees a non-empty triage queue, opens its first report with a motif, changes
//    its status with a motivation, then opens the dealing points' map: single points and clusters on
//    the map, the same points in the table; keeps one status with the filters (map, legend and
//    table follow), switches to the heat view and back, resets the filters, opens a point's popup.
// 3. partenaire.bailleur sees its own reports and the digest of its communes (« moins de 5 »), and is
//    refused the dealing points' map (403).
// Screenshots: out/signaler-*.png, out/suivi.png, out/signalement*.png, out/points-de-deal-carte.png,
// out/points-de-deal-chaleur.png, out/partenaire-signalements.png.

import { BASE, check, checkDsfrLoaded, demoAccounts, log, outlinesDrawn, run, shot, signIn } from './lib.mjs';

const DESCRIPTION = 'Vente tous les soirs devant le hall, deux guetteurs à l\'entrée de la cité (test e2e).';
const PLACE = 'Devant le hall du 12, test e2e';
const MOTIF = 'Tri e2e des signalements du 13';
const MOTIVATION = 'Recoupé avec un autre signalement (test e2e).';
const RECEIPT = /^\d{4} \d{4} \d{4} \d{4}$/;

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const squash = (text) => (text ?? '').replace(/\s+/g, ' ').trim();

await run('signaler : un riverain anonyme envoie un signalement et le suit', async (page) => {
  const context = page.context();
  const form = await page.goto(`${BASE}/signaler`);
  check(form.status() === 200, `GET /signaler : ${form.status()}`);
  await checkDsfrLoaded(page);
  check(/Signaler un point de deal/.test(await page.textContent('h1')), 'le titre du formulaire');
  check(await page.isVisible('#signaler-urgence'), 'le rappel des numéros d\'urgence');

  // The guarantees, before the form.
  check(await page.isVisible('#signaler-garanties'), 'la section « Ce qui est conservé, ce qui ne l\'est pas »');
  const guarantees = squash(await page.textContent('#signaler-garanties'));
  for (const expected of ['aucune adresse IP', 'aucun cookie', 'aucun identifiant de votre navigateur', 'sans les minutes']) {
    check(guarantees.includes(expected), `les garanties disent « ${expected} » : ${guarantees}`);
  }
  check(await page.isVisible('text=aucune adresse IP'), '« aucune adresse IP » est visible');
  check(await page.isVisible('[data-quitter]'), 'le bouton « Quitter rapidement » est affiché par le script');

  // The form. DSFR radios and checkboxes are drawn by their labels: click those, as a user does.
  await page.click('label[for="signaler-categorie-fixed_sale"]');
  check(await page.isChecked('#signaler-categorie-fixed_sale'), 'la catégorie « Point de vente (deal) régulier » est cochée');

  // The commune, chosen among the suggestions: the script fills the hidden INSEE code.
  await page.fill('#signaler-commune', 'Marseille');
  const label = 'Marseille (Bouches-du-Rhône, 13)';
  await page.waitForSelector(`#signaler-communes option[value="${label}"]`, { state: 'attached', timeout: 10000 });
  const suggestions = await page.$$eval('#signaler-communes option', (options) => options.map((o) => o.value));
  log(`communes proposées : ${suggestions.length}`);
  check(suggestions.length > 1 && suggestions.some((s) => s.startsWith('Marseille-en-Beauvaisis')),
    `les suggestions pour « Marseille » : ${suggestions.join(' | ')}`);
  check((await page.inputValue('#signaler-commune-code')) === '', 'pas de code de commune tant qu\'aucune n\'est choisie');
  await page.fill('#signaler-commune', label);
  await page.waitForFunction(() => document.getElementById('signaler-commune-code').value !== '', null, { timeout: 5000 });
  check((await page.inputValue('#signaler-commune-code')) === '13055', `code INSEE de Marseille : ${await page.inputValue('#signaler-commune-code')}`);

  await page.fill('#signaler-lieu', PLACE);
  await page.click('label[for="signaler-jour-friday"]');
  await page.click('label[for="signaler-creneau-evening"]');
  check(await page.isChecked('#signaler-jour-friday') && await page.isChecked('#signaler-creneau-evening'),
    'vendredi et « le soir » sont cochés');
  await page.fill('#signaler-description', DESCRIPTION);
  check((await page.inputValue('#signaler-solution')) === '', 'la preuve de travail n\'est pas encore calculée');
  await shot(page, 'signaler-formulaire');

  // Sending: the script solves the proof of work, then posts the form; the receipt follows.
  const started = Date.now();
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/signaler', { timeout: 120000 }),
    page.click('#signaler-bouton'),
  ]);
  await page.waitForSelector('#code-suivi', { timeout: 120000 });
  log(`preuve de travail et envoi : ${Date.now() - started} ms (réponse ${response.status()})`);
  check(response.status() === 201, `POST /signaler : ${response.status()}`);
  check(/Votre signalement a été envoyé/.test(await page.textContent('h1')), 'le titre de l\'accusé de réception');
  const receipt = squash(await page.textContent('#code-suivi'));
  check(RECEIPT.test(receipt), `un code de suivi à 16 chiffres : « ${receipt} »`);
  check(await page.isVisible('text=Gardez ce code : il ne sera plus affiché'), 'l\'avertissement « Gardez ce code »');
  check(await page.isVisible('button[data-copier="code-suivi"]'), 'le bouton « Copier »');
  check(!(await page.content()).includes(DESCRIPTION), 'l\'accusé de réception ne réaffiche pas la description');
  await checkDsfrLoaded(page);
  await shot(page, 'signaler-recu');

  // No cookie, neither for the page's scripts nor in the browser.
  check((await page.evaluate(() => document.cookie)) === '', 'document.cookie est vide');
  const cookies = await context.cookies();
  check(cookies.length === 0, `aucun cookie dans le navigateur : ${JSON.stringify(cookies)}`);

  // Following the report with its code.
  await Promise.all([page.waitForURL(`${BASE}/suivi`), page.click('.fr-header__tools a[href="/suivi"]')]);
  await page.fill('#suivi-code', receipt);
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/suivi'),
    page.click('#formulaire-suivi button[type=submit]'),
  ]);
  await page.waitForSelector('#suivi-statut');
  const status = squash(await page.textContent('#suivi-statut'));
  check(status === 'Reçu', `statut vu par le riverain : « ${status} »`);
  check(/Reçu le \d\d\/\d\d\/\d{4}/.test(squash(await page.textContent('main'))), 'le jour de réception');
  check(await page.isVisible('text=Aucune réponse pour l\'instant.'), 'pas encore de réponse de la CROSS');
  check(!(await page.content()).includes(DESCRIPTION), 'le suivi ne réaffiche pas la description');
  check(await page.isVisible('#formulaire-complement'), 'le formulaire pour ajouter une information');
  check(!page.url().includes(receipt.replace(/ /g, '')) && !page.url().includes(receipt), 'le code n\'est pas dans l\'adresse');
  await shot(page, 'suivi');

  // A code with one digit changed opens nothing, and the page says so without saying why.
  await page.goto(`${BASE}/suivi`);
  const wrong = receipt.startsWith('0') ? `1${receipt.slice(1)}` : `0${receipt.slice(1)}`;
  await page.fill('#suivi-code', wrong);
  await page.click('#formulaire-suivi button[type=submit]');
  await page.waitForSelector('#suivi-code-erreur');
  const refused = squash(await page.textContent('#suivi-code-erreur'));
  check(refused === 'Code de suivi inconnu ou expiré.', `un code erroné est refusé : « ${refused} »`);
  check(!(await page.isVisible('#suivi-statut')), 'aucun statut pour un code erroné');

  check((await page.evaluate(() => document.cookie)) === '', 'document.cookie est vide sur /suivi');
  check((await context.cookies()).length === 0, 'toujours aucun cookie');
}, { allow: [`^POST ${escape(BASE)}/suivi → 404 `] });

await run('signalements : la CROSS trie un signalement et voit les points de deal', async (page) => {
  const accounts = await demoAccounts(page);
  await signIn(page, 'analyste.cross13', accounts['analyste.cross13']);

  // The home page tells the CROSS what waits and which dismantled points seem to come back.
  check(await page.isVisible('#signalements-nouveaux'), 'l\'accueil compte les nouveaux signalements');
  check(await page.isVisible('#alerte-resurgences'), 'l\'accueil signale les résurgences présumées');
  const resurging = await page.locator('#alerte-resurgences li a').count();
  log(`résurgences présumées à l'accueil : ${resurging}`);
  check(resurging > 0, 'au moins une résurgence présumée, avec son lien');
  await shot(page, 'cross-accueil');

  // The queue.
  await Promise.all([page.waitForURL(`${BASE}/signalements`), page.click('nav a[href="/signalements"]')]);
  await checkDsfrLoaded(page);
  check(/Signalements à trier/.test(await page.textContent('h1')), 'le titre de la file');
  check(!(await page.isVisible('#file-vide')), 'la file n\'est pas vide');
  const rows = page.locator('#file-signalements tbody tr.signalement');
  const count = await rows.count();
  log(`signalements dans la file : ${count}`);
  check(count > 0, 'la file liste des signalements');
  const counted = squash(await page.textContent('#nombre-signalements'));
  check(counted === (count === 1 ? '1 signalement, le plus récent d\'abord.' : `${count} signalements, les plus récents d'abord.`),
    `le nombre annoncé (« ${counted} ») est celui des lignes (${count})`);
  const openTab = squash(await page.textContent('#onglets-statut button[aria-current="true"]'));
  check(openTab.startsWith('En cours') && openTab.includes(`(${count})`), `l'onglet « En cours » compte ${count} : « ${openTab} »`);
  const channels = await rows.locator('td:nth-child(2)').allTextContents();
  check(channels.some((c) => c.includes('Riverain anonyme')), 'des signalements de riverains');
  check(channels.some((c) => c.includes('Partenaire')), 'des signalements de partenaires');
  const first = (await rows.first().locator('td').allTextContents()).map(squash);
  log(`premier signalement : ${first.join(' | ')}`);
  check(/^entre \d+ h et (\d+ h|minuit), le \d\d\/\d\d\/\d{4}$/.test(first[0]), `l'heure de réception, sans les minutes : ${first[0]}`);
  const queueCommunes = (await rows.locator('td:nth-child(4)').allTextContents()).map(squash);
  check(queueCommunes.every((c) => /\(13\)$/.test(c) || c === 'Département 13'),
    `la file de la CROSS 13 ne montre que les Bouches-du-Rhône : ${queueCommunes.join(' | ')}`);
  await shot(page, 'signalements-file');

  // The first report: the motif first, then the report.
  const href = await rows.first().locator('td a').first().getAttribute('href');
  check(/^\/signalements\/[0-9a-f-]{36}$/.test(href), `lien vers le signalement : ${href}`);
  await Promise.all([page.waitForURL(`${BASE}${href}`), rows.first().locator('td a').first().click()]);
  check(/Consultation d'un signalement/.test(await page.textContent('h1')), 'la page demande un motif');
  check(!(await page.isVisible('#contenu-signalement')), 'rien n\'est affiché avant le motif');
  await page.fill('#motif', MOTIF);
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`${href}/consultation`)),
    page.click('#formulaire-motif button[type=submit]'),
  ]);
  await page.waitForSelector('#contenu-signalement');
  const title = squash(await page.textContent('h1'));
  check(/^Signalement du \d\d\/\d\d\/\d{4} — /.test(title), `titre de la fiche : ${title}`);
  check(title.endsWith(first[2]), `la catégorie de la fiche (${title}) est celle de la file (${first[2]})`);
  check((await page.textContent('main')).includes(`Consulté pour le motif « ${MOTIF} »`), 'le motif est rappelé');
  const facts = await page.$$eval('#contenu-signalement dl dt', (dts) =>
    Object.fromEntries(dts.map((dt) => [dt.textContent.trim(), dt.nextElementSibling?.textContent.trim() ?? ''])));
  for (const term of ['Reçu', 'Canal', 'Catégorie', 'Commune', 'Département', 'Jours', 'Créneaux']) {
    check(term in facts, `la fiche indique « ${term} » : ${JSON.stringify(facts)}`);
  }
  check(facts['Catégorie'] === first[2], `catégorie : ${facts['Catégorie']}`);
  check(facts['Reçu'] === first[0], `heure de réception de la fiche (${facts['Reçu']}) et de la file (${first[0]})`);
  check(facts['Département'].includes('Bouches-du-Rhône'), `département : ${facts['Département']}`);
  const description = squash(await page.textContent('#description'));
  check(description.length >= 10, `la description est affichée : « ${description} »`);
  const before = squash(await page.textContent('#statut-signalement'));
  check(before === first[4], `le statut de la fiche (${before}) est celui de la file (${first[4]})`);

  // A status change with its motivation.
  if (await page.isVisible('#formulaire-statut')) {
    const options = await page.$$eval('#statut-nouveau option', (os) => os.map((o) => ({ value: o.value, label: o.textContent.trim() })).filter((o) => o.value));
    check(options.length > 0, 'des statuts sont proposés');
    const to = options.find((o) => o.value === 'to_qualify') ?? options.find((o) => o.value === 'qualified') ?? options[0];
    log(`statut : « ${before} » → « ${to.label} »`);

    // Without motivation, the browser does not even send the form.
    await page.selectOption('#statut-nouveau', to.value);
    let posted = false;
    const watch = (request) => { if (request.method() === 'POST' && request.url().endsWith(`${href}/statut`)) posted = true; };
    page.on('request', watch);
    await page.click('#formulaire-statut button[type=submit]');
    await page.waitForTimeout(500);
    page.off('request', watch);
    check(!posted, 'sans motivation, le changement de statut n\'est pas envoyé');
    check(await page.$eval('#statut-motivation', (el) => el.validity.valueMissing), 'la motivation est signalée comme obligatoire');
    check(squash(await page.textContent('#statut-signalement')) === before, 'sans motivation, le statut ne change pas');

    await page.selectOption('#statut-nouveau', to.value);
    await page.fill('#statut-motivation', MOTIVATION);
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`${href}/statut`)),
      page.click('#formulaire-statut button[type=submit]'),
    ]);
    await page.waitForSelector('#avis');
    const notice = squash(await page.textContent('#avis'));
    check(notice === `Statut changé : « ${to.label} ».`, `avis : ${notice}`);
    const after = squash(await page.textContent('#statut-signalement'));
    check(after === to.label, `nouveau statut affiché : ${after}`);
    const history = squash(await page.textContent('#historique tbody tr.transition'));
    check(history.includes(MOTIVATION) && history.includes(to.label), `l'historique montre le changement : ${history}`);
  } else {
    log('aucun changement de statut possible pour ce signalement');
  }
  await checkDsfrLoaded(page);
  await shot(page, 'signalement-fiche');

  // The dealing points' map: single points and clusters that count theirs, the same points in the
  // table.
  await Promise.all([page.waitForURL(`${BASE}/points-de-deal`), page.click('nav a[href="/points-de-deal"]')]);
  check(/Points de deal/.test(await page.textContent('h1')), 'le titre de la page des points');
  await page.waitForSelector('#carte-points[data-etat="pret"]', { timeout: 30000 });
  const announced = Number(await page.getAttribute('#carte-points', 'data-points'));
  const markers = page.locator('#carte-points .leaflet-points-pane path.leaflet-interactive');
  const clusters = page.locator('#carte-points .vigie-grappe');
  const points = page.locator('#tableau-points tbody tr.point');
  const shownRows = page.locator('#tableau-points tbody tr.point:not([hidden])');
  // What the map shows once its clusters have settled (their animations last a few hundred ms).
  const onMap = async () => {
    let last = null;
    for (let i = 0; i < 20; i++) {
      const single = await markers.count();
      const grouped = (await page.locator('#carte-points .vigie-grappe__nombre').allTextContents())
        .map(Number).reduce((a, b) => a + b, 0);
      const now = { single, grouped, clusters: await clusters.count(), total: single + grouped };
      if (last && last.total === now.total && last.single === now.single) return now;
      last = now;
      await page.waitForTimeout(300);
    }
    return last;
  };
  const drawn = await onMap();
  const listed = await points.count();
  log(`points : ${announced} reçus par la carte, ${drawn.single} seuls et ${drawn.grouped} en ${drawn.clusters} grappe(s), ${listed} au tableau`);
  check(drawn.total > 0, 'la carte montre des points');
  check(drawn.total === announced, `tous les points reçus sont sur la carte, seuls ou regroupés (${drawn.total} sur ${announced})`);
  check(Number(await page.getAttribute('#carte-points', 'data-visibles')) === announced, 'sans filtre, tous les points sont retenus');
  check(listed > 0, 'le tableau liste des points');
  check(listed === announced, `la carte (${announced}) et le tableau (${listed}) montrent les mêmes points`);
  if (drawn.clusters > 0) {
    const title = squash(await page.locator('#carte-points .vigie-grappe svg').first().getAttribute('aria-label'));
    check(/^\d+ points : \d+ /.test(title), `une grappe dit sa répartition par statut : ${title}`);
  }
  const outlines = await page.locator('#carte-points .leaflet-overlay-pane path').count();
  check(outlines > 0, `les contours des départements sont dessinés (${outlines})`);
  const communes = (await points.locator('td:nth-child(2)').allTextContents()).map(squash);
  check(communes.every((c) => /\(13\)$/.test(c)), `les points sont dans les Bouches-du-Rhône : ${communes.join(' | ')}`);
  const labels = (await points.locator('td:first-child a').allTextContents()).map(squash);
  const legend = squash(await page.textContent('#legende'));
  check(/\(\d+\)/.test(legend), `la légende compte les points par statut : ${legend}`);
  await checkDsfrLoaded(page);
  await outlinesDrawn(page, '#carte-points');
  await shot(page, 'points-de-deal-carte');

  // The filters: one status only, on the map, in the legend and in the table at once.
  check(await page.isVisible('#filtres-points'), 'les filtres sont proposés au-dessus de la carte');
  const byStatus = (await page.$$eval('#legende [data-compte]', (spans) =>
    spans.map((span) => [span.getAttribute('data-compte'), Number(span.textContent)])))
    .sort((a, b) => b[1] - a[1]);
  const [kept, expected] = byStatus[0];
  for (const [code] of byStatus.slice(1)) {
    await page.click(`label[for="filtre-statut-${code}"]`);
  }
  await page.waitForSelector(`#carte-points[data-visibles="${expected}"]`, { timeout: 5000 });
  const filtered = await onMap();
  const rowsLeft = await shownRows.count();
  log(`filtre « ${kept} » : ${expected} point(s) attendus, ${filtered.total} sur la carte, ${rowsLeft} au tableau`);
  check(filtered.total === expected, `la carte ne garde que les points du statut choisi (${filtered.total} sur ${expected})`);
  check(rowsLeft === expected, `le tableau ne garde que les points du statut choisi (${rowsLeft} sur ${expected})`);
  const counts = await page.$$eval('#legende [data-compte]', (spans) => spans.map((span) => Number(span.textContent)));
  check(counts.reduce((a, b) => a + b, 0) === expected, `la légende compte les points retenus : ${counts.join(', ')}`);
  if (expected < announced) {
    check(/sur \d+/.test(squash(await page.textContent('#nombre-points'))), 'le nombre de points dit le filtre');
  }

  // The heat view replaces points and clusters.
  await page.click('label[for="vue-chaleur"]');
  await page.waitForSelector('#carte-points[data-vue="chaleur"]', { timeout: 5000 });
  check(await page.locator('#carte-points canvas.leaflet-heatmap-layer').count() === 1, 'la carte de chaleur est dessinée');
  check(await markers.count() === 0 && await clusters.count() === 0, 'la carte de chaleur remplace les points');
  check(await page.isVisible('#legende-chaleur'), 'la légende de la carte de chaleur est affichée');
  await shot(page, 'points-de-deal-chaleur');
  await page.click('label[for="vue-chaleur"]');
  await page.waitForSelector('#carte-points[data-vue="points"]', { timeout: 5000 });
  check(await page.locator('#carte-points canvas.leaflet-heatmap-layer').count() === 0, 'la carte de chaleur est retirée');
  await page.click('#filtres-reinitialiser');
  await page.waitForSelector(`#carte-points[data-visibles="${announced}"]`, { timeout: 5000 });
  check(await shownRows.count() === announced, 'les filtres réinitialisés rendent tous les points au tableau');
  check((await onMap()).total === announced, 'les filtres réinitialisés rendent tous les points à la carte');

  // A marker's popup names a point of the table and links to its page (a click on a cluster
  // brings its points closer; at the closest zoom, it spreads them around).
  await page.$eval('#carte-points', (map) => map.scrollIntoView({ block: 'center' }));
  const box = await page.locator('#carte-points').boundingBox();
  const inside = (b) => b && b.x >= box.x && b.y >= box.y && b.x + b.width <= box.x + box.width && b.y + b.height <= box.y + box.height;
  let popup = null;
  for (let round = 0; round < 8 && !popup; round++) {
    const single = await markers.count();
    for (let i = 0; i < Math.min(single, 10) && !popup; i++) {
      const marker = await markers.nth(i).boundingBox();
      if (!inside(marker)) continue;
      await page.mouse.click(marker.x + marker.width / 2, marker.y + marker.height / 2);
      popup = await page.waitForSelector('#carte-points .leaflet-popup-content a', { timeout: 3000 }).catch(() => null);
    }
    if (popup || await clusters.count() === 0) break;
    const cluster = await clusters.first().boundingBox();
    if (!inside(cluster)) break;
    await page.mouse.click(cluster.x + cluster.width / 2, cluster.y + cluster.height / 2);
    await page.waitForTimeout(800);
  }
  check(popup, 'un clic sur un point ouvre sa bulle');
  const popupLabel = squash(await popup.textContent());
  check(labels.includes(popupLabel), `la bulle (« ${popupLabel} ») nomme un point du tableau`);
  check(/^\/points-de-deal\/[0-9a-f-]{36}$/.test(await popup.getAttribute('href')), 'la bulle mène à la page du point');
});

await run('partenaire : ses signalements, la synthèse, et pas de carte des points', async (page) => {
  const accounts = await demoAccounts(page);
  await signIn(page, 'partenaire.bailleur', accounts['partenaire.bailleur']);
  check(await page.isVisible('nav a[href="/partenaire/signalements"]'), 'le menu propose « Mes signalements »');
  check(!(await page.isVisible('nav a[href="/points-de-deal"]')), 'le menu ne propose pas les points de deal');
  check(!(await page.isVisible('nav a[href="/signalements"]')), 'le menu ne propose pas la file de tri');

  await Promise.all([page.waitForURL(`${BASE}/partenaire/signalements`), page.click('nav a[href="/partenaire/signalements"]')]);
  await checkDsfrLoaded(page);
  check(/Mes signalements/.test(await page.textContent('h1')), 'le titre de la page du partenaire');
  check(!(await page.isVisible('#aucun-signalement')), 'le partenaire a des signalements');
  const cards = page.locator('#mes-signalements article.signalement-partenaire');
  const count = await cards.count();
  log(`signalements du partenaire : ${count}`);
  check(count > 0, 'les signalements du partenaire sont listés');
  const statuses = (await cards.locator('.fr-badges-group .fr-badge').allTextContents()).map(squash);
  check(statuses.length === count && statuses.every((s) => ['Reçu', 'En cours d\'examen', 'Traité'].includes(s)),
    `le partenaire ne voit que le statut simplifié : ${statuses.join(' | ')}`);
  const card = squash(await cards.first().textContent());
  check(/ — /.test(card) && /Reçu /.test(card), `une carte de signalement : ${card}`);
  const text = squash(await page.textContent('main'));
  for (const hidden of ['Rattaché à un point de deal', 'Classé sans suite', 'Transmis à un service', 'malveillant']) {
    check(!text.includes(hidden), `le partenaire ne voit pas « ${hidden} »`);
  }

  // The digest of its communes (reports, processed, live dealing points): every count below five
  // reads « moins de 5 », and no point is placed.
  check(await page.isVisible('#synthese'), 'la synthèse des communes');
  const small = await page.isVisible('#synthese-moins-de-5');
  const cells = (await page.locator('#tableau-synthese tbody td').allTextContents()).map(squash);
  log(`synthèse : ${cells.length / 4} commune(s) au tableau, « moins de 5 » ailleurs : ${small}`);
  const headers = (await page.locator('#tableau-synthese thead th').allTextContents()).map(squash);
  check(headers.length === 0 || headers.includes('Points de deal en activité'), `les colonnes de la synthèse : ${headers.join(' | ')}`);
  check(small || cells.includes('moins de 5'), 'la synthèse affiche « moins de 5 »');
  if (small) {
    const sentence = squash(await page.textContent('#synthese-moins-de-5'));
    check(sentence.includes('moins de 5 signalements'), `la phrase de la synthèse : ${sentence}`);
  }
  check(cells.every((c, i) => i % 4 === 0 || c === 'moins de 5' || (/^\d+$/.test(c) && Number(c) >= 5)),
    `aucun nombre inférieur à 5 dans le tableau : ${cells.join(' | ')}`);
  check(!(await page.isVisible('#synthese-vide')), 'la synthèse n\'est pas vide');
  await shot(page, 'partenaire-signalements');

  // The dealing points' map is not for partners.
  const refused = await page.goto(`${BASE}/points-de-deal`);
  check(refused.status() === 403, `GET /points-de-deal pour un partenaire : ${refused.status()}`);
  check(squash(await page.textContent('h1')) === 'Accès refusé', `la page d'erreur : ${await page.textContent('h1')}`);
  check((await page.textContent('main')).includes('Erreur 403'), 'la page indique « Erreur 403 »');
  check(!(await page.isVisible('#carte-points')), 'aucune carte affichée');
}, { allow: [`^GET ${escape(BASE)}/points-de-deal → 403 `] });
