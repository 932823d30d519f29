// The dealing points' map (`#carte-points`) and a point's small map (`#carte-point`): Vigie's own
// département and commune outlines (no tile server), the points as circles coloured by status
// (dashed outline: resurgence suspected), a popup linking to each point's page. The table under
// the map says the same for those who do not use it. On the points page, a click on the map fills
// the coordinates of the creation form (`data-saisie` names its two inputs).
(function () {
  'use strict';
  if (!window.L) { return; }

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
  var METROPOLE = [[41.3, -5.2], [51.1, 9.6]];
  var COMMUNES_FROM_ZOOM = 10;

  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json, application/geo+json' } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      });
  }

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  // The map with Vigie's outlines: all départements up to zoom 8 (cached by the browser), closer
  // only those in view, and the communes from zoom 10, as on the map page. `national` resolves to
  // the national layer at zoom 6, for fitting the view to a zone.
  function baseMap(element) {
    var map = L.map(element, { minZoom: 3, maxZoom: 16, zoomSnap: 1, attributionControl: false });
    // The points above the outlines, which are redrawn at every move.
    map.createPane('points').style.zIndex = 450;
    var zones = (element.getAttribute('data-zones') || '').split(' ').filter(Boolean);
    var departements = L.geoJSON(null, {
      interactive: false,
      style: function (feature) {
        var mine = feature && feature.properties && zones.indexOf(feature.properties.code) !== -1;
        return { color: '#000091', weight: mine ? 2.4 : 1.2, fillColor: '#fbfbf8', fillOpacity: 0.9 };
      }
    }).addTo(map);
    var communes = L.geoJSON(null, {
      interactive: false,
      style: { color: '#6a6af4', weight: 0.7, fill: false }
    }).addTo(map);
    var NATIONAL_MAX_ZOOM = 8;
    var loadedZoom = null;
    var departementsRequest = 0;
    var communesRequest = 0;
    function viewBbox() {
      var b = map.getBounds();
      return [
        Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90),
        Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)
      ].map(function (v) { return v.toFixed(4); }).join(',');
    }
    map.on('moveend', function () {
      var zoom = map.getZoom();
      var url = null;
      if (zoom > NATIONAL_MAX_ZOOM) {
        url = '/api/v1/geo/layers/departements?zoom=' + zoom + '&bbox=' + viewBbox();
      } else if (zoom !== loadedZoom) {
        url = '/api/v1/geo/layers/departements?zoom=' + zoom;
      }
      if (url) {
        loadedZoom = zoom;
        var request = ++departementsRequest;
        getJson(url).then(function (answer) {
          if (!answer.ok || request !== departementsRequest) { return; }
          departements.clearLayers();
          departements.addData(answer.body);
        }).catch(function () {});
      }
      var asked = ++communesRequest;
      if (zoom < COMMUNES_FROM_ZOOM) { communes.clearLayers(); return; }
      getJson('/api/v1/geo/layers/communes?zoom=' + zoom + '&bbox=' + viewBbox()).then(function (answer) {
        if (asked !== communesRequest) { return; }
        communes.clearLayers();
        if (answer.ok) { communes.addData(answer.body); }
      }).catch(function () {});
    });
    var national = getJson('/api/v1/geo/layers/departements?zoom=6').then(function (answer) {
      return answer.ok ? answer.body : null;
    }).catch(function () { return null; });
    // The bounds of the zone's départements, if any.
    function zoneBounds(layer) {
      if (!layer || zones.length === 0) { return null; }
      var mine = L.geoJSON(layer, {
        filter: function (feature) { return zones.indexOf(feature.properties.code) !== -1; }
      });
      return mine.getLayers().length > 0 ? mine.getBounds() : null;
    }
    return { map: map, national: national, zoneBounds: zoneBounds };
  }

  function circle(point, latlng) {
    return L.circleMarker(latlng, {
      pane: 'points',
      radius: 8,
      color: '#161616',
      weight: point.resurgence ? 3 : 1.5,
      dashArray: point.resurgence ? '4 3' : null,
      fillColor: COLOURS[point.status] || '#666666',
      fillOpacity: 0.9
    });
  }

  function popup(point) {
    var box = document.createElement('div');
    box.className = 'vigie-popup';
    var title = document.createElement('p');
    var link = text('a', point.label);
    link.href = point.href;
    title.appendChild(link);
    box.appendChild(title);
    box.appendChild(text('p', point.status_label));
    if (point.commune) { box.appendChild(text('p', point.commune)); }
    box.appendChild(text('p', point.reports + (point.reports > 1 ? ' signalements' : ' signalement')));
    if (point.resurgence) { box.appendChild(text('p', 'Résurgence présumée', 'fr-text--bold')); }
    return box;
  }

  // The points page.
  var element = document.getElementById('carte-points');
  if (element) {
    var base = baseMap(element);
    var map = base.map;
    map.fitBounds(METROPOLE);
    var layer = L.featureGroup().addTo(map);
    var source = element.getAttribute('data-source');
    var points = getJson(source).then(function (answer) {
      if (!answer.ok) { return []; }
      answer.body.points.forEach(function (point) {
        circle(point, [point.lat, point.lon]).bindPopup(popup(point)).addTo(layer);
      });
      return answer.body.points;
    }).catch(function () { return []; });
    Promise.all([points, base.national]).then(function (done) {
      var found = done[0];
      var bounds = base.zoneBounds(done[1]);
      var national = (element.getAttribute('data-zones') || '').trim() === '';
      if (found.length > 0 && !national) {
        map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 15 });
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
