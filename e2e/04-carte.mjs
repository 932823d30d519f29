// The map page: an analyst opens the map, sees the département outlines drawn from Vigie's own layers
// (no tile server), zooms on Marseille where commune outlines appear, clicks the Vieux-Port area and
// reads the commune, arrondissement, département, CROSS, OFAST antenna and defence zone. Then a click
// in the sea says "Hors de France", and La Réunion is one button away. Screenshots: out/carte-*.png.

import { BASE, check, checkDsfrLoaded, demoAccounts, log, run, shot, signIn } from './lib.mjs';

/** Waits until the map shows `view` ("zoom/lat/lon", when given) with its outlines loaded. */
async function ready(page, view) {
  await page.waitForFunction((view) => {
    const map = document.getElementById('carte');
    return map?.dataset.etat === 'pret' && (!view || map.dataset.vue === view);
  }, view, { timeout: 30000 });
}

async function go(page, view) {
  await page.goto(`${BASE}/carte#${view}`);
  await ready(page, view);
}

async function clickCentre(page) {
  await page.evaluate(() => { delete document.getElementById('lieu').dataset.commune; });
  const box = await page.locator('#carte').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => document.getElementById('lieu')?.dataset.commune !== undefined, null, { timeout: 10000 });
}

await run('la carte localise un point', async (page) => {
  const accounts = await demoAccounts(page);
  await signIn(page, 'analyste.ofast', accounts['analyste.ofast']);
  await page.click('nav a[href="/carte"]');
  await page.waitForURL(/\/carte(#.*)?$/);
  await checkDsfrLoaded(page);
  await ready(page);
  const departements = await page.locator('#carte .leaflet-overlay-pane path').count();
  log(`contours affichés au niveau national : ${departements}`);
  check(departements >= 96, `contours des départements affichés : ${departements}`);
  await shot(page, 'carte-france');

  // Marseille, zoom 12: the communes layer appears; click the centre of the view (Marseille 1er).
  await go(page, '13/43.2990/5.3845');
  const paths = await page.locator('#carte .leaflet-overlay-pane path').count();
  check(paths >= 10, `contours des communes et du département au zoom 13 : ${paths} chemins`);
  await clickCentre(page);
  const panel = await page.textContent('#lieu');
  for (const expected of [
    'Marseille (13055)',
    'Marseille 1er Arrondissement',
    'Bouches-du-Rhône (13)',
    'CROSS des Bouches-du-Rhône',
    'OFAST, antenne de Marseille',
    'Zone de défense et de sécurité Sud',
  ]) {
    check(panel.includes(expected), `le panneau indique « ${expected} » : ${panel}`);
  }
  await shot(page, 'carte-marseille');

  // The sea off Marseille.
  await go(page, '11/43.0500/5.4000');
  await clickCentre(page);
  check((await page.textContent('#lieu')).includes('Hors de France'), 'un point en mer est hors de France');

  // Overseas: La Réunion, then a click on Saint-Denis.
  await page.click('#territoires button:has-text("La Réunion")');
  await ready(page);
  await go(page, '13/-20.8823/55.4504');
  await clickCentre(page);
  const reunion = await page.textContent('#lieu');
  check(reunion.includes('Saint-Denis (97411)') && reunion.includes('sud de l\u2019océan Indien'.replace('\u2019', "'")),
    `La Réunion : ${reunion}`);
  await shot(page, 'carte-reunion');

  // On a phone: the map fills the width and the answer panel follows it.
  await page.setViewportSize({ width: 390, height: 844 });
  await go(page, '12/48.8584/2.2945');
  await clickCentre(page);
  check((await page.textContent('#lieu')).includes('Paris 7e Arrondissement'), 'Paris 7e sur téléphone');
  const box = await page.locator('#carte').boundingBox();
  check(box.width >= 340, `largeur de la carte sur téléphone : ${box.width}`);
  await shot(page, 'carte-mobile');
});
