// Standing watches: a CROSS analyst searches « guetteurs » with a motif in the intelligence
// repository, follows the search from its results, lands on « Mes veilles » and sees the watch
// (nothing new yet), runs it again with a motif, finds it on the home page, then deletes it.
// Screenshots: out/veilles-*.png.

import { BASE, check, checkDsfrLoaded, demoAccounts, run, shot, signIn } from './lib.mjs';

const MOTIF = 'Veille e2e — guetteurs du 13';

await run('veilles : suivre une recherche du renseignement', async (page) => {
  const accounts = await demoAccounts(page);
  await signIn(page, 'analyste.cross13', accounts['analyste.cross13']);

  await Promise.all([page.waitForURL(`${BASE}/veilles`), page.click('nav a[href="/veilles"]')]);
  await checkDsfrLoaded(page);
  check(await page.isVisible('#aucune-veille'), 'aucune veille au départ');

  // The search, then « Suivre cette recherche » above its results.
  await Promise.all([page.waitForURL(`${BASE}/renseignement`), page.click('nav a[href="/renseignement"]')]);
  await page.fill('#motif', MOTIF);
  await page.fill('#mots', 'guetteurs');
  await page.click('#formulaire-renseignement button[type=submit]');
  await page.waitForSelector('#resultats');
  check(await page.isVisible('#formulaire-suivre'), 'le formulaire « Suivre cette recherche »');
  check((await page.inputValue('#formulaire-suivre #libelle')) === 'guetteurs', 'le nom proposé est celui des mots');
  await shot(page, 'veilles-suivre');
  await page.fill('#formulaire-suivre #libelle', 'Guetteurs (CROSS 13)');
  await Promise.all([page.waitForURL(`${BASE}/veilles?avis=creee`), page.click('#suivre-recherche')]);

  // The watch, listed with nothing new yet.
  await page.waitForSelector('#avis');
  const cards = await page.$$('#veilles article');
  check(cards.length === 1, `une veille listée (${cards.length})`);
  const card = (await cards[0].textContent()).replace(/\s+/g, ' ');
  check(card.includes('Guetteurs (CROSS 13)'), `le nom de la veille : ${card}`);
  check(card.includes('Recherche : "guetteurs"'), `ce qu'elle surveille : ${card}`);
  check(card.includes('Rien de nouveau'), `rien de nouveau : ${card}`);
  check(/Nouveautés depuis le \d\d\/\d\d\/\d{4} à \d\d:\d\d/.test(card), `depuis quand : ${card}`);
  await checkDsfrLoaded(page);
  await shot(page, 'veilles');

  // « Voir les résultats » runs the saved search again, with a motif.
  await page.fill('#veilles input[name=motif]', MOTIF);
  await Promise.all([page.waitForURL(`${BASE}/renseignement`), page.click('#veilles button:has-text("Voir les résultats")')]);
  await page.waitForSelector('#resultats');
  check((await page.inputValue('#mots')) === 'guetteurs', 'les mots de la veille sont repris');

  // The home page's card, then deletion.
  await page.goto(`${BASE}/`);
  check(await page.isVisible('#carte-veilles'), 'la carte « Vos veilles » sur la page d\'accueil');
  await shot(page, 'veilles-accueil');
  await page.goto(`${BASE}/veilles`);
  await Promise.all([page.waitForURL(`${BASE}/veilles?avis=supprimee`), page.click('#veilles button:has-text("Supprimer")')]);
  check(await page.isVisible('#aucune-veille'), 'plus aucune veille');
});
