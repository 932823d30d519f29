// The intelligence repository on the demo's synthetic items: a Marseille agent searches with a motif
// (the words never reach the address bar), narrows by a facet, pages, reads an item with a motif,
// and records one after a refused attempt, then derives a sanitised copy of it from its page; the
// gendarmes do not find the agent's H2 item.
// Screenshots: out/renseignement-*.png.

import { BASE, check, checkDsfrLoaded, demoAccounts, run, shot, signIn, signOut } from './lib.mjs';

const MOTIF = 'Visite e2e du renseignement';
const UNIQUE = 'Zanzibarite';

await run('renseignement : recherche, facettes, consultation, enregistrement', async (page) => {
  const accounts = await demoAccounts(page);

  await signIn(page, 'agent.marseille', accounts['agent.marseille']);
  await Promise.all([page.waitForURL(`${BASE}/renseignement`), page.click('nav a[href="/renseignement"]')]);
  await checkDsfrLoaded(page);
  await shot(page, 'renseignement-formulaire');

  // A search: results with the words marked, the address unchanged.
  await page.fill('#motif', MOTIF);
  await page.fill('#mots', 'cocaïne');
  await page.click('#formulaire-renseignement button[type=submit]');
  await page.waitForSelector('#resultats');
  check(page.url() === `${BASE}/renseignement`, `l'adresse ne porte pas les mots : ${page.url()}`);
  const total = (await page.textContent('#total')).trim();
  check(/éléments?$/.test(total), `le total : ${total}`);
  check((await page.$$('#elements mark')).length > 0, 'les mots trouvés sont surlignés');
  await shot(page, 'renseignement-resultats');

  // A facet value narrows the search; its filter can be removed.
  await page.click('#facette-regime button >> nth=0');
  await page.waitForSelector('#filtres button[name=retrait]');
  check(page.url() === `${BASE}/renseignement`, 'toujours sans paramètre');
  await shot(page, 'renseignement-facette');
  await page.click('#filtres button[name=retrait]');
  await page.waitForSelector('#resultats');
  check((await page.textContent('#total')).trim() === total, 'le filtre retiré rend le total initial');
  if (await page.isVisible('button[name=page][value="2"]')) {
    await page.click('button[name=page][value="2"]');
    await page.waitForSelector('text=Page 2 sur');
    await shot(page, 'renseignement-page-2');
  }

  // An item: the motif first, then the item.
  await Promise.all([page.waitForURL(/\/renseignement\/elements\/[0-9a-f-]{36}$/), page.click('#elements a >> nth=0')]);
  await page.waitForSelector('#formulaire-motif');
  await page.fill('#motif', MOTIF);
  await page.click('#formulaire-motif button[type=submit]');
  await page.waitForSelector('#texte-element');
  check(await page.isVisible('#cotation'), 'la cotation et ses significations');
  await shot(page, 'renseignement-element');

  // Recording: a wrong grade is shown under its field, then the item is recorded and shown.
  await page.goto(`${BASE}/renseignement/nouveau`);
  await checkDsfrLoaded(page);
  await page.fill('#texte', `Réseau ${UNIQUE} : le guetteur principal serait mineur.`);
  await page.fill('#observe-le', '2026-01-15');
  await page.fill('#commune', '13214');
  await page.selectOption('#source', 'technical');
  await page.fill('#cotation', 'D2');
  await page.click('label[for=traitement-h2]');
  await page.selectOption('#regime', 'administrative');
  await page.click('#formulaire-element button[type=submit]');
  await page.waitForSelector('#cotation-erreur');
  await shot(page, 'renseignement-nouveau-erreur');
  await page.fill('#cotation', 'B2');
  await page.click('#formulaire-element button[type=submit]');
  await page.waitForSelector('#element-enregistre');
  check((await page.textContent('#texte-element')).includes(UNIQUE), 'l\'élément enregistré est affiché');
  await shot(page, 'renseignement-enregistre');

  // Its owner derives a sanitised copy (after a consultation with a motif) and lands on it.
  await Promise.all([page.waitForURL(/\/renseignement\/elements\/[0-9a-f-]{36}$/), page.click('#gestion-apres-consultation a')]);
  await page.fill('#motif', MOTIF);
  await page.click('#formulaire-motif button[type=submit]');
  await page.waitForSelector('#gestion');
  await checkDsfrLoaded(page);
  await page.click('button[aria-controls=gestion-copie]');
  await page.waitForSelector('#texte-epure', { state: 'visible' });
  await page.fill('#texte-epure', 'Un guetteur mineur est signalé dans le 14e arrondissement.');
  await shot(page, 'renseignement-copie-formulaire');
  await Promise.all([page.waitForURL(/\?avis=copie-epuree$/), page.click('#formulaire-copie-epuree button[type=submit]')]);
  await page.waitForSelector('#avis');
  await page.fill('#motif', MOTIF);
  await page.click('#formulaire-motif button[type=submit]');
  await page.waitForSelector('#original a');
  check((await page.textContent('#titre-element')).includes('copie épurée'), 'la copie épurée est affichée');
  check(!(await page.textContent('#texte-element')).includes(UNIQUE), 'le texte épuré est celui de la copie');
  await shot(page, 'renseignement-copie-epuree');
  await signOut(page);

  // Another unit does not find it, nor count it.
  await signIn(page, 'agent.gendarmerie', accounts['agent.gendarmerie']);
  await page.goto(`${BASE}/renseignement`);
  await page.fill('#motif', MOTIF);
  await page.fill('#mots', UNIQUE);
  await page.click('#formulaire-renseignement button[type=submit]');
  await page.waitForSelector('#aucun-resultat');
  check((await page.textContent('#total')).trim() === 'Aucun élément', 'ni affiché ni compté');
  await signOut(page);
}, { allow: ['POST .*/renseignement/nouveau → 422'] });
