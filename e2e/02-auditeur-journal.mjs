// The auditor signs in, opens the journal, filters on consultations and finds the entry of the
// agent's consultation from 01-agent-consultation.mjs, with the same number, motif and object
// (screenshot out/journal.png).

import fs from 'node:fs';
import path from 'node:path';
import { BASE, OUT, check, checkDsfrLoaded, demoAccounts, log, run, signIn, signOut } from './lib.mjs';

await run('l\'auditeur retrouve la consultation au journal', async (page) => {
  const handover = path.join(OUT, 'consultation.json');
  check(fs.existsSync(handover), 'out/consultation.json manque : le test de l\'agent a échoué');
  const consultation = JSON.parse(fs.readFileSync(handover, 'utf8'));
  const accounts = await demoAccounts(page);
  await signIn(page, 'auditeur', accounts.auditeur);
  check(!(await page.isVisible('#formulaire-recherche')), 'pas de recherche pour l\'auditeur');
  await Promise.all([page.waitForURL(`${BASE}/journal`), page.click('main a[href="/journal"]')]);
  await checkDsfrLoaded(page);
  check((await page.textContent('#lecture-journal')).includes('La lecture du journal est elle-même enregistrée'), 'avis de lecture journalisée');

  await page.selectOption('#action', 'consult');
  await Promise.all([page.waitForURL(`${BASE}/journal?action=consult`), page.click('#filtre-journal button[type=submit]')]);
  const row = page.locator(`#table-journal tr[data-seq="${consultation.seq}"]`);
  check((await row.count()) === 1, `l'entrée n° ${consultation.seq} est listée`);
  const cells = (await row.locator('td').allTextContents()).map((text) => text.trim());
  log(`entrée : ${cells.join(' | ')}`);
  check(cells[0] === String(consultation.seq), 'même numéro');
  check(cells[4] === 'Consultation', `action : ${cells[4]}`);
  check(cells[5] === `entity:${consultation.id}`, `objet : ${cells[5]}`);
  check(cells[6] === consultation.motif, `motif : ${cells[6]}`);
  check(cells[7] === 'Autorisé', `décision : ${cells[7]}`);
  check(cells[3] === 'SD-13', `unité : ${cells[3]}`);
  check(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/.test(cells[1]), `date et heure : ${cells[1]}`);
  await row.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(OUT, 'journal.png'), fullPage: true, caret: 'initial' });
  await signOut(page);
});
