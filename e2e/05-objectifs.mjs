// The target file on the demo data, through four accounts: customs finds that the gendarmes work on
// its man (conflict inbox, target page); the JIRS magistrate opens the pending referral, reads both
// summaries and decides; the gendarmes see tomorrow night's overlapping operation; OFAST reads the
// priority list and its indicators. On the operations page, the declaration map fills the
// coordinates. Screenshots: out/objectifs-*.png.

import { BASE, check, checkDsfrLoaded, demoAccounts, log, outlinesDrawn, run, shot, signIn, signOut } from './lib.mjs';

await run('fichier des objectifs, arbitrage, opérations, objectifs prioritaires', async (page) => {
  const accounts = await demoAccounts(page);

  // Customs: the inbox names the gendarmes and whom to call, never their file.
  await signIn(page, 'agent.douane', accounts['agent.douane']);
  await Promise.all([page.waitForURL(`${BASE}/objectifs`), page.click('nav a[href="/objectifs"]')]);
  await checkDsfrLoaded(page);
  await shot(page, 'objectifs-liste');
  await page.goto(`${BASE}/objectifs/conflits`);
  const inbox = await page.textContent('main');
  check(inbox.includes('Section de recherches de Marseille'), 'le conflit avec la SR est signalé');
  check(inbox.includes('Adjudant Morel'), 'l\'enquêteur à appeler est nommé');
  check(!inbox.includes('SR-13-2026-0412'), 'jamais le numéro de procédure de l\'autre service');
  await shot(page, 'objectifs-conflits');
  await Promise.all([page.waitForURL(/\/objectifs\/[0-9a-f-]{36}$/), page.click('table.table-avis a[href^="/objectifs/"]')]);
  check(await page.isVisible('#formulaire-arbitrage'), 'le formulaire de saisine de l\'arbitre est proposé');
  await shot(page, 'objectifs-objectif');
  await signOut(page);

  // The magistrate: the referral, both summaries, the decision.
  await signIn(page, 'magistrat.jirs', accounts['magistrat.jirs']);
  await Promise.all([page.waitForURL(`${BASE}/arbitrages`), page.click('nav a[href="/arbitrages"]')]);
  await Promise.all([page.waitForURL(/\/arbitrages\/[0-9a-f-]{36}$/), page.click('#table-arbitrages a')]);
  check((await page.locator('.synthese').count()) === 2, 'les deux synthèses');
  const summaries = await page.textContent('main');
  check(summaries.includes('SR-13-2026-0412') && summaries.includes('DNRED-2026-077'), 'les deux procédures');
  await shot(page, 'objectifs-arbitrage');
  await page.click('label[for="issue-1"]'); // DSFR draws the radio on its label
  await page.fill('#motivation', 'La section de recherches est saisie depuis plus longtemps');
  await Promise.all([page.waitForURL(/avis=decide/), page.click('button:has-text("Rendre la décision")')]);
  const decision = await page.textContent('#decision-rendue');
  log(`décision : ${decision.trim().replace(/\s+/g, ' ')}`);
  check(decision.includes('Direction confiée à'), 'la décision est affichée');
  await shot(page, 'objectifs-decision');
  await signOut(page);

  // The gendarmes: the decision, and tomorrow night's overlap.
  await signIn(page, 'agent.gendarmerie', accounts['agent.gendarmerie']);
  await page.goto(`${BASE}/arbitrages`);
  check((await page.textContent('#table-arbitrages')).includes('Direction confiée à'), 'la SR lit la décision');
  await Promise.all([page.waitForURL(/\/operations/), page.click('nav a[href="/operations"]')]);
  const operations = await page.textContent('main');
  check(operations.includes('chevauchement'), 'le chevauchement est signalé');
  check(!operations.includes('Perquisitions bât. H et J'), 'jamais l\'intitulé de l\'autre opération');
  await shot(page, 'objectifs-operations');
  // The declaration map: the unit's own operations on it, a commune search centres it, a click
  // fills the coordinates and the radius circle follows the radius typed.
  await page.waitForFunction(() => document.getElementById('carte-operation')?.dataset.etat === 'pret', null, { timeout: 30000 });
  check(await page.isVisible('#carte-operation'), 'la carte de déclaration est affichée');
  const own = Number(await page.getAttribute('#carte-operation', 'data-operations'));
  check(own >= 1, `les opérations à venir de l'unité sont sur la carte : ${own}`);
  await page.fill('#commune-carte', 'Aubagne');
  await page.press('#commune-carte', 'Enter');
  await page.waitForFunction(() => document.getElementById('carte-operation')?.dataset.commune === '13005', null, { timeout: 30000 });
  log(`recherche de commune : ${(await page.textContent('#commune-carte-message')).trim()}`);
  const map = await page.locator('#carte-operation').boundingBox();
  // Scrolled into view first: the form is at the bottom of the page.
  await page.locator('#carte-operation').click({ position: { x: map.width * 0.45, y: map.height * 0.45 } });
  const lat = Number(await page.inputValue('#latitude'));
  const lon = Number(await page.inputValue('#longitude'));
  check(lat > 43.2 && lat < 43.4 && lon > 5.45 && lon < 5.75, `un clic dans Aubagne remplit les coordonnées : ${lat}, ${lon}`);
  const radiusWidth = async () => (await page.locator('#carte-operation path.vigie-rayon').boundingBox())?.width ?? 0;
  await page.fill('#rayon', '200');
  const small = await radiusWidth();
  await page.fill('#rayon', '800');
  const large = await radiusWidth();
  check(small > 0 && large > small * 2, `le cercle suit le rayon saisi : ${small} puis ${large} px`);
  await page.fill('#latitude', '43.3000');
  await page.fill('#longitude', '5.5600');
  await page.press('#longitude', 'Tab');
  const marker = await page.locator('#carte-operation .leaflet-marker-icon').count();
  check(marker === 1, `un seul repère après saisie des coordonnées : ${marker}`);
  await outlinesDrawn(page, '#carte-operation');
  await shot(page, 'objectifs-operations-carte');
  await signOut(page);

  // OFAST: the priority list.
  await signIn(page, 'analyste.ofast', accounts['analyste.ofast']);
  await Promise.all([page.waitForURL(`${BASE}/objectifs/prioritaires`), page.click('nav a[href="/objectifs/prioritaires"]')]);
  check((await page.locator('.entree-prioritaire').count()) === 2, 'une inscrite, une proposée');
  check((await page.textContent('#indicateurs')).includes('objectif(s) inscrit(s)'), 'les indicateurs');
  await shot(page, 'objectifs-prioritaires');
  await signOut(page);
});
