// A tour of every page, by role, in a desktop and a phone viewport: each page is screenshotted
// (out/*.png) and checked for the DSFR look (Marianne font), for CSP violations and for
// third-party requests. Error pages (403, 404) and rejected forms (422) are expected here.

import { BASE, check, checkDsfrLoaded, demoAccounts, log, run, shot, signIn, signOut } from './lib.mjs';

const MISSING = '00000000-0000-4000-8000-000000000000';

async function title(page) {
  return (await page.textContent('main h1')).trim();
}

await run('visite des pages par profil', async (page) => {
  const accounts = await demoAccounts(page);
  await checkDsfrLoaded(page);
  await shot(page, 'connexion');

  // A wrong password: the error is tied to the fields.
  await page.fill('#identifiant', 'agent.marseille');
  await page.fill('#mot-de-passe', 'pas le bon mot de passe');
  await page.click('button:has-text("Se connecter")');
  await page.waitForSelector('#mot-de-passe-erreur');
  check((await page.textContent('#mot-de-passe-erreur')).includes('Identifiant ou mot de passe incorrect'), 'erreur de connexion');
  await shot(page, 'connexion-erreur');

  // Agent: home, search without motif, results, motif form, missing record.
  await signIn(page, 'agent.marseille', accounts['agent.marseille']);
  await checkDsfrLoaded(page);
  await shot(page, 'accueil-agent');
  await page.fill('#texte', 'a');
  await page.$eval('#formulaire-recherche', (form) => { form.noValidate = true; });
  await page.click('#formulaire-recherche button[type=submit]');
  await page.waitForSelector('#motif-erreur');
  await shot(page, 'recherche-sans-motif');
  await page.fill('#motif', 'Visite e2e des pages');
  await page.click('#formulaire-recherche button[type=submit]');
  await page.waitForSelector('#resultats');
  await shot(page, 'recherche-resultats');
  await page.click('#resultats tbody a >> nth=0');
  await page.waitForSelector('#formulaire-motif');
  await shot(page, 'motif');
  await page.goto(`${BASE}/entites/${MISSING}`);
  await page.fill('#motif', 'Visite e2e des pages');
  await page.click('#formulaire-motif button[type=submit]');
  await page.waitForSelector('main h1');
  check((await title(page)) === 'Introuvable', `page 404 : ${await title(page)}`);
  await shot(page, 'introuvable');

  // Phone: the header menu opens (DSFR script) and lists the navigation and the logout button.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${BASE}/`);
  await page.click('#bouton-menu');
  await page.waitForSelector('#menu-principal.fr-modal--opened');
  check(await page.isVisible('#menu-principal a[href="/recherche"]'), 'le menu mobile liste la recherche');
  await shot(page, 'mobile-menu');
  await page.click('#menu-principal button.fr-btn--close');
  await page.setViewportSize({ width: 1280, height: 900 });
  await signOut(page);

  // Administrator: administration, and a clear refusal on the search page.
  await signIn(page, 'admin', accounts.admin);
  check(!(await page.isVisible('#formulaire-recherche')), 'pas de recherche pour l\'administrateur');
  await shot(page, 'accueil-admin');
  await page.goto(`${BASE}/admin`);
  await checkDsfrLoaded(page);
  check(await page.isVisible('#table-comptes'), 'la liste des comptes');
  await shot(page, 'admin');
  await page.goto(`${BASE}/recherche`);
  check((await page.textContent('main')).includes('Cette page n\'est pas accessible avec votre profil'), 'page 403');
  await shot(page, 'refus');
  await signOut(page);

  // Partner and auditor homes.
  await signIn(page, 'partenaire.bailleur', accounts['partenaire.bailleur']);
  check(await page.isVisible('#lien-mes-signalements'), 'le partenaire trouve « Mes signalements » sur son accueil');
  await shot(page, 'accueil-partenaire');
  await signOut(page);
  await signIn(page, 'auditeur', accounts.auditeur);
  await shot(page, 'accueil-auditeur');
  await signOut(page);
  log('pages : connexion, accueil (4 profils), recherche, motif, fiche introuvable, administration, refus, menu mobile');
}, {
  allow: [
    '^POST .*/connexion → 422',
    '^POST .*/recherche → 422',
    `^POST .*/entites/${MISSING} → 404`,
    '^GET .*/recherche → 403',
  ],
});
