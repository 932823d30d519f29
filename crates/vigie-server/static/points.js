// The dealing points' map (`#carte-points`) and a point's small map (`#carte-point`): Vigie's own
// département and commune outlines (no tile server: `baseMap` in fond-carte.js, loaded first),
// the points as circles coloured by status (dashed outline: resurgence suspected), a popup linking
// to each point's page. The table under the map says the same for those who do not use it. On
// the points page, a click on the map fills the coordinates of the creation form (`data-saisie`
// names its two inputs).
//
// On the points page, nearby points are grouped into clusters (Leaflet.markercluster), a toggle
// swaps them for a heat view (Leaflet.heat), and the filters above the map (status, département,
// product, last activity, status since) act on the map, the heat view, the legend's counts and
// the table at once, in the browser. `#carte-points` says `data-etat="pret"` once drawn, with
// `data-points` (points received), `data-visibles` (points the filters keep) and `data-vue`
// (`points` or `chaleur`).
(function () {
  'use strict';
  // Leaflet and the shared base map (fond-carte.js), loaded before this script.
  if (!window.L || !window.VigieFond) { return; }
  var baseMap = window.VigieFond.baseMap;
  var getJson = window.VigieFond.getJson;

  // Keep in step with points.css.
  var COLOURS = {
    reported: '#e6a700',
    confirmed: '#e4572e',
    active: '#ce0500',
    dismantled: '#18753c',
    under_watch: '#0063cb',
    resurgent: '#a558a0',
    closed: '#929292'
  };
  var METROPOLE = window.VigieFond.METROPOLE;

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  function circle(point, latlng) {
    var marker = L.circleMarker(latlng, {
      pane: 'points',
      radius: 8,
      color: '#161616',
      weight: point.resurgence ? 3 : 1.5,
      dashArray: point.resurgence ? '4 3' : null,
      fillColor: COLOURS[point.status] || '#666666',
      fillOpacity: 0.9
    });
    marker.vigiePoint = point;
    return marker;
  }

  function popup(point) {
    var box = document.createElement('div');
    box.className = 'vigie-popup';
    var title = document.createElement('p');
    var link = text('a', point.label);
    link.href = point.href;
    title.appendChild(link);
    box.appendChild(title);
    box.appendChild(text('p', point.status_label + (point.status_since_label ? ' depuis le ' + point.status_since_label : '')));
    if (point.commune) { box.appendChild(text('p', point.commune)); }
    box.appendChild(text('p', point.reports + (point.reports > 1 ? ' signalements' : ' signalement')));
    if (point.products && point.products.length > 0) { box.appendChild(text('p', 'Produits : ' + point.products.join(', '))); }
    if (point.last_activity_label) { box.appendChild(text('p', 'Dernière activité : ' + point.last_activity_label)); }
    if (point.resurgence) { box.appendChild(text('p', 'Résurgence présumée', 'fr-text--bold')); }
    return box;
  }

  // The statuses from the most to the least pressing: the order of a cluster's ring.
  var STATUS_ORDER = ['active', 'resurgent', 'confirmed', 'reported', 'under_watch', 'dismantled', 'closed'];
  var RING = 2 * Math.PI * 15;

  // A cluster's icon: its count in the middle of a ring split by status (classes only, the
  // colours are in points.css: the CSP forbids inline styles), dashed outside when one of its
  // points is a suspected resurgence; its title spells the breakdown out.
  function clusterIcon(cluster) {
    var counts = {};
    var labels = {};
    var resurgence = false;
    var children = cluster.getAllChildMarkers();
    children.forEach(function (marker) {
      var point = marker.vigiePoint || {};
      counts[point.status] = (counts[point.status] || 0) + 1;
      labels[point.status] = point.status_label || point.status;
      if (point.resurgence) { resurgence = true; }
    });
    var total = children.length;
    var size = total < 10 ? 36 : total < 100 ? 44 : total < 1000 ? 52 : 60;
    var parts = [];
    var breakdown = [];
    var offset = 0;
    STATUS_ORDER.forEach(function (status) {
      var count = counts[status] || 0;
      if (count === 0) { return; }
      var length = RING * count / total;
      parts.push('<circle class="vigie-grappe__part vigie-grappe__part--' + status + '" cx="20" cy="20" r="15" ' +
        'stroke-dasharray="' + length.toFixed(2) + ' ' + (RING - length).toFixed(2) + '" ' +
        'stroke-dashoffset="' + (-offset).toFixed(2) + '" transform="rotate(-90 20 20)"></circle>');
      breakdown.push(count + ' ' + String(labels[status]).toLowerCase());
      offset += length;
    });
    var title = escapeHtml(total + ' points : ' + breakdown.join(', ') + (resurgence ? ' ; résurgence présumée' : ''));
    var html = '<svg viewBox="0 0 40 40" width="' + size + '" height="' + size + '" role="img" aria-label="' + title + '">' +
      '<title>' + title + '</title>' +
      '<circle class="vigie-grappe__bord' + (resurgence ? ' vigie-grappe__bord--resurgence' : '') + '" cx="20" cy="20" r="19"></circle>' +
      parts.join('') +
      '<circle class="vigie-grappe__fond" cx="20" cy="20" r="10.5"></circle>' +
      '<text class="vigie-grappe__nombre vigie-grappe__nombre--' + String(total).length + '" x="20" y="20" text-anchor="middle" dominant-baseline="central">' + total + '</text>' +
      '</svg>';
    return L.divIcon({ html: html, className: 'vigie-grappe', iconSize: L.point(size, size) });
  }

  // The days before `today` (YYYY-MM-DD), as YYYY-MM-DD.
  function daysBefore(today, days) {
    var at = Date.parse(today + 'T00:00:00Z');
    if (!isFinite(at)) { return ''; }
    return new Date(at - days * 86400000).toISOString().slice(0, 10);
  }

  // The points page.
  var element = document.getElementById('carte-points');
  if (element) {
    var base = baseMap(element);
    var map = base.map;
    map.fitBounds(METROPOLE);
    var clustered = typeof L.markerClusterGroup === 'function';
    // Nearby points are grouped into clusters (a click zooms in; at the closest zoom, the
    // points of one place are spread around it); without the plugin, every point is drawn.
    var layer = clustered ? L.markerClusterGroup({
      clusterPane: 'points',
      iconCreateFunction: clusterIcon,
      maxClusterRadius: 60,
      showCoverageOnHover: false,
      spiderLegPolylineOptions: { weight: 1.5, color: '#161616', opacity: 0.5, interactive: false }
      // Not `chunkedLoading`: a few thousand points cluster in a fraction of a second, and a
      // synchronous load cannot be overtaken by the next change of the filters.
    }) : L.featureGroup();
    layer.addTo(map);
    // The heat view, made anew from the points kept at each change: Leaflet.heat 0.2.0 cannot
    // be given new points while it is off the map.
    var heatAvailable = typeof L.heatLayer === 'function';
    var heat = null;
    var heatPoints = [];
    var HEAT_OPTIONS = {
      radius: 22,
      blur: 18,
      minOpacity: 0.05,
      // Keep in step with .vigie-degrade in points.css.
      gradient: { 0.2: '#6a6af4', 0.45: '#e6a700', 0.7: '#e4572e', 1: '#ce0500' }
    };
    // The heat is relative to what is in view, at every zoom: Leaflet.heat's own scale (one
    // point is full red from its `maxZoom` on, 2^n points n zooms out) makes a country of
    // thousands of points one red blot, or a département of a hundred a pale haze. Here `maxZoom`
    // is the current zoom (one point counts one) and `max`, the count that reads red, is the 95th
    // percentile of the counts of the plugin's cells (half of radius + blur, in pixels) that hold
    // a point, at least two so that a lone point never reads red: one very dense city does not
    // wash out the others.
    function heatScale() {
      var zoom = map.getZoom();
      var cell = (HEAT_OPTIONS.radius + HEAT_OPTIONS.blur) / 2;
      var counts = {};
      heatPoints.forEach(function (latlng) {
        var at = map.project(latlng, zoom);
        var key = Math.floor(at.x / cell) + ':' + Math.floor(at.y / cell);
        counts[key] = (counts[key] || 0) + 1;
      });
      var values = Object.keys(counts).map(function (key) { return counts[key]; }).sort(function (a, b) { return a - b; });
      var high = values.length > 0 ? values[Math.floor((values.length - 1) * 0.95)] : 1;
      return { maxZoom: zoom, max: Math.max(2, high) };
    }
    map.on('zoomend', function () {
      if (heat) { heat.setOptions(heatScale()); }
    });
    var source = element.getAttribute('data-source');
    var entries = [];
    var today = '';
    var points = getJson(source).then(function (answer) {
      if (!answer.ok) { return []; }
      today = answer.body.today || '';
      entries = answer.body.points.map(function (point) {
        var marker = circle(point, [point.lat, point.lon]);
        // Built when first opened: thousands of points need no thousands of popups.
        marker.bindPopup(function () { return popup(point); });
        return { point: point, marker: marker, products: (point.products || []).map(function (p) { return p.trim().toLowerCase(); }) };
      });
      return answer.body.points;
    }).catch(function () { return []; });

    // The filters: the same points on the map, in the heat view, in the legend's counts and in
    // the table (rows by `data-id`).
    var form = document.getElementById('filtres-points');
    var rows = {};
    document.querySelectorAll('#tableau-points tbody tr[data-id]').forEach(function (row) {
      rows[row.getAttribute('data-id')] = row;
    });
    var countLine = document.getElementById('nombre-points');
    var heatLegend = document.getElementById('legende-chaleur');
    function value(id) {
      var input = document.getElementById(id);
      return input ? input.value : '';
    }
    function criteria() {
      var statuses = {};
      document.querySelectorAll('#filtre-statuts input[name="statut"]').forEach(function (box) {
        if (box.checked) { statuses[box.value] = true; }
      });
      var period = Number(value('filtre-activite'));
      return {
        statuses: statuses,
        departement: value('filtre-departement'),
        product: value('filtre-produit'),
        activeSince: period > 0 && today ? daysBefore(today, period) : '',
        statusSince: value('filtre-depuis')
      };
    }
    function matches(entry, c) {
      var point = entry.point;
      if (!c.statuses[point.status]) { return false; }
      if (c.departement && point.departement !== c.departement) { return false; }
      if (c.product && entry.products.indexOf(c.product) === -1) { return false; }
      if (c.activeSince && !(point.last_activity >= c.activeSince)) { return false; }
      if (c.statusSince && !(point.status_since >= c.statusSince)) { return false; }
      return true;
    }
    function plural(count, one, many) { return count + ' ' + (count > 1 ? many : one); }
    function apply() {
      var c = form ? criteria() : null;
      var shown = c ? entries.filter(function (entry) { return matches(entry, c); }) : entries;
      var toggle = document.getElementById('vue-chaleur');
      var heatOn = heatAvailable && !!toggle && toggle.checked;
      if (heat) { map.removeLayer(heat); heat = null; }
      if (heatOn) {
        map.removeLayer(layer);
        heatPoints = shown.map(function (entry) { return L.latLng(entry.point.lat, entry.point.lon); });
        heat = L.heatLayer(heatPoints, L.extend({}, HEAT_OPTIONS, heatScale())).addTo(map);
      } else if (!map.hasLayer(layer)) {
        map.addLayer(layer);
      }
      map.closePopup();
      layer.clearLayers();
      if (clustered) {
        layer.addLayers(shown.map(function (entry) { return entry.marker; }));
      } else {
        shown.forEach(function (entry) { layer.addLayer(entry.marker); });
      }
      if (heatLegend) { heatLegend.hidden = !heatOn; }
      element.setAttribute('data-vue', heatOn ? 'chaleur' : 'points');
      var visible = {};
      var counts = {};
      shown.forEach(function (entry) {
        visible[entry.point.id] = true;
        counts[entry.point.status] = (counts[entry.point.status] || 0) + 1;
      });
      Object.keys(rows).forEach(function (id) { rows[id].hidden = !visible[id]; });
      document.querySelectorAll('#legende [data-compte]').forEach(function (span) {
        span.textContent = String(counts[span.getAttribute('data-compte')] || 0);
      });
      var total = entries.length;
      var sentence = shown.length === total
        ? plural(total, 'point de deal.', 'points de deal.')
        : plural(shown.length, 'point de deal affiché', 'points de deal affichés') + ' sur ' + total + ' (filtres).';
      if (countLine) { countLine.textContent = sentence; }
      var result = document.getElementById('resultat-filtres');
      if (result) { result.textContent = shown.length === 0 ? 'Aucun point ne répond à ces filtres.' : sentence; }
      element.setAttribute('data-visibles', String(shown.length));
    }
    if (form) {
      form.hidden = false;
      form.addEventListener('submit', function (event) { event.preventDefault(); apply(); });
      form.addEventListener('change', apply);
      // `reset` fires before the controls are reset.
      form.addEventListener('reset', function () { window.setTimeout(apply, 0); });
      if (!heatAvailable) {
        var toggle = document.getElementById('vue-chaleur');
        if (toggle) { toggle.disabled = true; }
      }
    }

    Promise.all([points, base.national]).then(function (done) {
      var found = done[0];
      var bounds = base.zoneBounds(done[1]);
      var national = (element.getAttribute('data-zones') || '').trim() === '';
      apply();
      if (found.length > 0 && !national) {
        var all = L.latLngBounds(found.map(function (point) { return [point.lat, point.lon]; }));
        map.fitBounds(all, { padding: [30, 30], maxZoom: 15 });
      } else if (bounds) {
        map.fitBounds(bounds);
      }
      element.setAttribute('data-etat', 'pret');
      element.setAttribute('data-points', String(found.length));
    });

    // The overseas départements, one button away (national view).
    document.querySelectorAll('#territoires-points [data-vue]').forEach(function (button) {
      button.addEventListener('click', function () {
        var view = button.getAttribute('data-vue');
        if (view === 'metropole') { map.fitBounds(METROPOLE); return; }
        var parts = view.split('/').map(Number);
        map.setView([parts[1], parts[2]], parts[0]);
      });
    });

    // A click fills the creation form's coordinates.
    var inputs = (element.getAttribute('data-saisie') || '').split(' ').map(function (id) { return document.getElementById(id); });
    if (inputs.length === 2 && inputs[0] && inputs[1]) {
      var chosen = null;
      map.on('click', function (event) {
        var at = event.latlng.wrap();
        inputs[0].value = at.lat.toFixed(5);
        inputs[1].value = at.lng.toFixed(5);
        if (chosen) { chosen.setLatLng(at); } else { chosen = L.marker(at, { keyboard: false }).addTo(map); }
      });
    }
  }

  // One point's page.
  var small = document.getElementById('carte-point');
  if (small) {
    var lat = Number(small.getAttribute('data-lat'));
    var lon = Number(small.getAttribute('data-lon'));
    if (isFinite(lat) && isFinite(lon)) {
      var one = baseMap(small);
      one.map.setView([lat, lon], 14);
      circle({ status: small.getAttribute('data-statut'), resurgence: false }, [lat, lon]).addTo(one.map);
      one.national.then(function () { small.setAttribute('data-etat', 'pret'); });
    }
  }
})();
