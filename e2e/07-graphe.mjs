// The link chart of the entity page: an agent of Marseille searches « Ben Salah » (the demo's
// lieutenant of the first network: his network, his superior and the dealing points are two links
// away), opens the record with a motif, and the chart draws him and his neighbours with Cytoscape.js
// under the CSP. A double click on an entity two links away adds its own links; the link-kind filter
// reloads the chart; the chart is exported as i2 Analyst's Notebook (ANX), as PNG and, for its
// people, as CSV.
// Screenshots: out/graphe-*.png.

import fs from 'node:fs';
import { BASE, check, checkDsfrLoaded, demoAccounts, log, run, shot, signIn } from './lib.mjs';

const MOTIF = 'Procédure e2e 2026/077 — réseau des Lauriers';

/** Waits until the chart is no longer loading; fails with the page's message on an error. */
async function settled(page) {
  await page.waitForFunction(() => {
    const chart = document.getElementById('schema-graphe');
    return chart && ['pret', 'erreur'].includes(chart.dataset.etat);
  }, null, { timeout: 60000 });
  const state = await page.evaluate(() => {
    const chart = document.getElementById('schema-graphe');
    return {
      etat: chart.dataset.etat,
      noeuds: Number(chart.dataset.noeuds),
      liens: Number(chart.dataset.liens),
      erreur: document.getElementById('schema-erreur').hidden ? '' : document.getElementById('schema-erreur').textContent.trim(),
      statut: document.getElementById('schema-statut').textContent.trim(),
    };
  });
  check(state.etat === 'pret', `le schéma est prêt (état ${state.etat} : ${state.erreur})`);
  return state;
}

/** The chart's entities as Cytoscape.js holds them: id, hop, schema, expanded, on-screen position. */
async function nodes(page) {
  return page.evaluate(() => {
    const cy = document.getElementById('schema-graphe')._cyreg.cy;
    return cy.nodes().map((n) => ({
      id: n.id(),
      hop: n.data('hop'),
      schema: n.data('schema'),
      caption: n.data('caption'),
      developpee: Boolean(n.data('developpee')),
      degree: n.degree(),
      x: n.renderedPosition().x,
      y: n.renderedPosition().y,
    }));
  });
}

async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.click(button)]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: fs.readFileSync(path) };
}

await run('schéma relationnel : chargement, développement, filtres, exports', async (page) => {
  const accounts = await demoAccounts(page);
  await signIn(page, 'agent.marseille', accounts['agent.marseille']);

  // The search, then the record with a motif.
  await page.goto(`${BASE}/recherche`);
  await page.fill('#texte', 'Ben Salah');
  await page.fill('#motif', MOTIF);
  await page.click('#formulaire-recherche button[type=submit]');
  await page.waitForSelector('#resultats');
  const result = page.locator('#resultats a', { hasText: 'BEN SALAH' }).first();
  check(await result.count() === 1, 'la recherche trouve « Mohamed BEN SALAH »');
  await Promise.all([page.waitForURL(/\/entites\/[0-9a-f-]{36}$/), result.click()]);
  await page.fill('#motif', MOTIF);
  await page.click('#formulaire-motif button[type=submit]');
  await page.waitForSelector('#schema-graphe');
  await checkDsfrLoaded(page);
  const root = await page.getAttribute('#schema-graphe', 'data-entite');
  check(await page.getAttribute('#schema-graphe', 'data-motif') === MOTIF, 'le motif est passé au script');

  // The chart at depth 2, its status line and its text alternative.
  const first = await settled(page);
  log(`schéma initial : ${first.statut}`);
  check(first.noeuds > 1, `plusieurs entités : ${first.noeuds}`);
  check(first.liens >= first.noeuds - 1, `des liens : ${first.liens}`);
  check(/^\d+ entités?, \d+ liens?/.test(first.statut), `la ligne d'état : ${first.statut}`);
  const drawn = await nodes(page);
  check(drawn.some((n) => n.id === root && n.hop === 0), 'la fiche consultée est au centre du schéma');
  check(drawn.some((n) => n.hop === 2), 'des entités à deux liens');
  const listed = await page.locator('#schema-liste-entites li').count();
  check(listed === first.noeuds, `la liste textuelle suit le schéma (${listed} / ${first.noeuds})`);
  check(await page.locator('#schema-liste-liens li').count() === first.liens, 'la liste des liens aussi');
  check(await page.isVisible('#chronologie-liste'), 'la chronologie');
  check(await page.locator('#chronologie-liste time').count() >= 2, 'des faits datés dans la chronologie');
  await page.locator('#schema').scrollIntoViewIfNeeded();
  await shot(page, 'graphe-initial');

  // A click selects an entity (panel); a double click on an entity two links away expands it.
  const box = await page.locator('#schema-graphe').boundingBox();
  const inView = (n) => n.x > 20 && n.y > 20 && n.x < box.width - 20 && n.y < box.height - 20;
  const candidates = drawn
    .filter((n) => n.hop >= 1 && n.id !== root && inView(n))
    .sort((a, b) => (b.hop - a.hop) || ((b.schema === 'Person') - (a.schema === 'Person')));
  let grown = null;
  for (const candidate of candidates.slice(0, 8)) {
    const before = await settled(page);
    const current = (await nodes(page)).find((n) => n.id === candidate.id);
    await page.mouse.dblclick(box.x + current.x, box.y + current.y);
    await page.waitForFunction((id) => {
      const cy = document.getElementById('schema-graphe')._cyreg.cy;
      return cy.getElementById(id).data('developpee') === true;
    }, candidate.id, { timeout: 20000 }).catch(() => null);
    const after = await settled(page);
    const expanded = (await nodes(page)).find((n) => n.id === candidate.id);
    log(`double clic sur « ${candidate.caption} » (${candidate.schema}, à ${candidate.hop} lien(s)) : ${after.statut}`);
    if (expanded?.developpee && after.noeuds > before.noeuds) {
      grown = { candidate, before, after };
      break;
    }
  }
  check(grown, 'un double clic sur une entité ajoute ses propres liens au schéma');
  check(await page.isVisible('#schema-selection #schema-developper'), 'le panneau de l\'entité sélectionnée');
  check(await page.locator('#schema-liste-entites li').count() === grown.after.noeuds, 'la liste textuelle suit le développement');
  await shot(page, 'graphe-developpe');

  // The « Développer » button of the panel does the same (here: nothing new, or more).
  await page.click('#schema-developper');
  const again = await settled(page);
  check(again.noeuds >= grown.after.noeuds, 'développer à nouveau ne retire rien');

  // Filters: without the membership and relation links, none is drawn; the chart is reloaded with
  // the root and every expanded entity.
  await page.click('label[for=schema-type-member]');
  await page.click('label[for=schema-type-associate]');
  await page.click('#schema-appliquer');
  const filtered = await settled(page);
  log(`filtré (sans « Membre » ni « Relation ») : ${filtered.statut}`);
  const kinds = await page.evaluate(() =>
    document.getElementById('schema-graphe')._cyreg.cy.edges().map((e) => e.data('kind')));
  check(!kinds.includes('member') && !kinds.includes('associate'), `types de liens filtrés : ${[...new Set(kinds)].join(', ')}`);
  const seeds = (await nodes(page)).filter((n) => n.developpee).map((n) => n.id);
  check(seeds.includes(grown.candidate.id), 'l\'entité développée reste une graine du schéma rechargé');
  await shot(page, 'graphe-filtre');
  await page.click('label[for=schema-type-member]');
  await page.click('label[for=schema-type-associate]');
  await page.click('#schema-appliquer');
  await settled(page);

  // Exports: ANX from the server (positions included), PNG drawn in the browser.
  const anx = await download(page, '#schema-anx');
  const xml = anx.bytes.toString('utf8');
  log(`ANX : ${anx.name}, ${anx.bytes.length} octets`);
  check(anx.name === 'schema-relationnel.anx', `nom du fichier ANX : ${anx.name}`);
  check(xml.startsWith('<?xml'), `le fichier ANX commence par <?xml : ${xml.slice(0, 40)}`);
  check(xml.includes('<Chart'), 'le fichier ANX contient un élément <Chart');
  const png = await download(page, '#schema-png');
  log(`PNG : ${png.name}, ${png.bytes.length} octets`);
  check(png.name === 'schema-relationnel.png', `nom du fichier PNG : ${png.name}`);
  check(png.bytes.length > 1000 && png.bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    'une image PNG');
  fs.writeFileSync(new URL('./out/graphe-export.png', import.meta.url), png.bytes);
  await settled(page);

  // CSV: the chart's entities of one type; choosing the type puts its default columns in the field.
  await page.selectOption('#schema-csv-type', 'Vehicle');
  const vehicles = await page.inputValue('#schema-csv-correspondance');
  check(vehicles.startsWith('registrationNumber='), `les colonnes par défaut des véhicules : ${vehicles}`);
  await page.selectOption('#schema-csv-type', 'Person');
  const csv = await download(page, '#schema-csv-exporter');
  const rows = csv.bytes.toString('utf8').split('\n').filter((line) => line.length > 0);
  log(`CSV : ${csv.name}, ${rows.length} lignes`);
  check(csv.name === 'schema-relationnel-person.csv', `nom du fichier CSV : ${csv.name}`);
  check(rows[0].startsWith('\ufeff"NAME";"FIRST_NAME"'), `l'en-tête du fichier CSV : ${rows[0]}`);
  check(rows.length >= 2, 'au moins la personne consultée');
  await settled(page);
});
