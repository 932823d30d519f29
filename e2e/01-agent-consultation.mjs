// An agent of Marseille's service signs in, searches a person of the demo data, opens the record
// with a motif and sees it with the number of its journal entry (screenshot out/entity.png).
// Hands the journal number over to 02-auditeur-journal.mjs through out/consultation.json.

import fs from 'node:fs';
import path from 'node:path';
import { BASE, OUT, check, checkDsfrLoaded, demoAccounts, log, run, signIn, signOut } from './lib.mjs';

const USERNAME = 'agent.marseille';
const MOTIF = 'Procédure e2e 2026/042 — vérification d\'identité';

/** A person agent.marseille may see, found through the JSON API (then the API session is closed). */
async function pickPerson(password) {
  const session = await fetch(`${BASE}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: USERNAME, password }),
  });
  check(session.status === 201, `ouverture de session API : ${session.status}`);
  const { token, account } = await session.json();
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let hit;
  for (const text of ['a', 'e', 'i', 'o']) {
    const search = await fetch(`${BASE}/api/v1/entities/search`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ text, schema: 'Person', motif: 'préparation du test e2e', limit: 20 }),
    });
    check(search.status === 200, `recherche API : ${search.status}`);
    const { hits } = await search.json();
    hit = hits.find((h) => h.caption.split(' ').length >= 2);
    if (hit) break;
  }
  await fetch(`${BASE}/api/v1/session`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  check(hit, 'aucune personne accessible à agent.marseille dans les données de démonstration');
  return { hit, displayName: account.display_name };
}

await run('un enquêteur consulte une fiche avec un motif', async (page) => {
  const accounts = await demoAccounts(page);
  const password = accounts[USERNAME];
  check(password, `${USERNAME} absent des comptes de démonstration`);
  const { hit, displayName } = await pickPerson(password);
  log(`personne choisie : ${hit.caption} (${hit.id})`);

  await signIn(page, USERNAME, password);
  await checkDsfrLoaded(page);
  check((await page.textContent('header')).includes(displayName), 'le nom de l\'agent figure dans l\'en-tête');
  check(await page.isVisible('#formulaire-recherche'), 'la page d\'accueil propose la recherche');

  // Search by the person's name, with a motif; the terms go in the POST body, not in the URL.
  await page.fill('#texte', hit.caption);
  await page.selectOption('#type', 'Person');
  await page.fill('#motif', MOTIF);
  await Promise.all([page.waitForURL(`${BASE}/recherche`), page.click('#formulaire-recherche button[type=submit]')]);
  check(!page.url().includes('?'), `aucun terme dans l'adresse : ${page.url()}`);
  await page.waitForSelector('#resultats');
  const link = page.locator(`#resultats a[href="/entites/${hit.id}"]`);
  check((await link.count()) === 1, 'la personne figure dans les résultats');

  // The record asks for a motif first, and reveals nothing before.
  await Promise.all([page.waitForURL(`${BASE}/entites/${hit.id}`), link.click()]);
  check(!(await page.textContent('main')).includes(hit.caption), 'la fiche ne s\'affiche pas avant le motif');
  await page.fill('#motif', MOTIF);
  await Promise.all([page.waitForSelector('#titre-fiche'), page.click('#formulaire-motif button[type=submit]')]);
  const title = (await page.textContent('#titre-fiche')).trim();
  check(title === hit.caption, `titre de la fiche : « ${title} »`);
  const notice = (await page.textContent('#consultation-journal')).trim();
  const match = notice.match(/Consultation enregistrée au journal \(n° (\d+)\)/);
  check(match, `avis de journalisation : « ${notice} »`);
  const seq = Number(match[1]);
  log(`consultation enregistrée au journal, n° ${seq}`);
  await checkDsfrLoaded(page);
  await page.screenshot({ path: path.join(OUT, 'entity.png'), fullPage: true, caret: 'initial' });
  fs.writeFileSync(path.join(OUT, 'consultation.json'), JSON.stringify({ seq, id: hit.id, caption: hit.caption, motif: MOTIF }, null, 2));

  await signOut(page);
});
