// The entity page's link chart, drawn with Cytoscape.js from Vigie's graph API
// (POST /api/v1/entities/graph, the session cookie, the consultation's motif).
//
// The chart opens on the consulted entity (the root) at the chosen depth. An entity is expanded by a
// double click (or double tap) or its « Développer » button: its own links are fetched (one hop) and
// merged, and only the new entities are placed, in a ring around it, so the analyst's arrangement
// stays. The filters (link kinds, dates) and the depth reload the whole chart with every seed: the
// root at its depth and each expanded entity at one hop. Exports: PNG (drawn here), i2 Analyst's
// Notebook (ANX, built by the server from the same seeds and filters, with the positions shown) and
// CSV (the chart's entities of one type, the columns as the analyst maps them; choosing a type
// puts its default mapping in the field).
//
// The canvas is not accessible: the list under the chart says the same in text, and is kept up to
// date. `data-etat` on the container is "chargement", "pret" or "erreur" (the end-to-end test waits
// on it), `data-noeuds` and `data-liens` count what is shown.
(function () {
  'use strict';
  var container = document.getElementById('schema-graphe');
  if (!container) { return; }
  var statusLine = document.getElementById('schema-statut');
  var errorBox = document.getElementById('schema-erreur');
  var errorText = document.getElementById('schema-erreur-texte');
  var truncatedBox = document.getElementById('schema-tronque');
  var truncatedText = document.getElementById('schema-tronque-texte');
  var selection = document.getElementById('schema-selection');
  var listing = document.getElementById('schema-liste-contenu');
  var depthSelect = document.getElementById('schema-profondeur');
  var fromInput = document.getElementById('schema-du');
  var toInput = document.getElementById('schema-au');
  var kindsFieldset = document.getElementById('schema-types');
  var kindsMessages = document.getElementById('schema-types-messages');
  var actionButtons = ['schema-appliquer', 'schema-reorganiser', 'schema-png', 'schema-anx', 'schema-csv-exporter']
    .map(function (id) { return document.getElementById(id); })
    .filter(Boolean);

  var ROOT = container.getAttribute('data-entite');
  var MOTIF = container.getAttribute('data-motif') || '';
  var GRAPH_URL = '/api/v1/entities/graph';
  var ANX_URL = '/api/v1/entities/graph/anx';
  var CSV_URL = '/api/v1/entities/graph/csv';
  var MAX_NODES = 150;
  var MAX_EXPANDED = 199; // the API takes at most 200 seeds, the root included

  function setEtat(etat) { container.setAttribute('data-etat', etat); }

  function showError(message) {
    errorText.textContent = message;
    errorBox.hidden = false;
  }

  function clearError() {
    errorBox.hidden = true;
    errorText.textContent = '';
  }

  if (!window.cytoscape) {
    setEtat('erreur');
    showError('La bibliothèque de dessin du schéma n\u2019a pas pu être chargée.');
    statusLine.textContent = 'Schéma indisponible.';
    return;
  }

  // Shapes by schema (as in the legend); colours come from the legend's swatches (graphe.css).
  var SHAPES = {
    Person: 'ellipse',
    Company: 'round-rectangle',
    Organization: 'round-rectangle',
    Vehicle: 'rectangle',
    Phone: 'diamond',
    Address: 'triangle',
    BankAccount: 'hexagon',
    CryptoWallet: 'octagon',
    Case: 'tag',
    DealingPoint: 'star',
    Network: 'pentagon'
  };
  var COLOURS = {};
  Array.prototype.forEach.call(document.querySelectorAll('#schema-legende [data-schema]'), function (swatch) {
    COLOURS[swatch.getAttribute('data-schema')] = window.getComputedStyle(swatch).backgroundColor;
  });

  var cy = window.cytoscape({
    container: container,
    elements: [],
    minZoom: 0.1,
    maxZoom: 4,
    boxSelectionEnabled: false,
    selectionType: 'single',
    style: [
      {
        selector: 'node',
        style: {
          'background-color': 'data(colour)',
          shape: 'data(shape)',
          width: 30,
          height: 30,
          label: 'data(caption)',
          'font-family': 'Marianne, arial, sans-serif',
          'font-size': 11,
          color: '#161616',
          'text-valign': 'bottom',
          'text-halign': 'center',
          'text-margin-y': 4,
          'text-wrap': 'ellipsis',
          'text-max-width': 150,
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.85,
          'text-background-padding': 2
        }
      },
      { selector: 'node[?developpee]', style: { 'border-width': 3, 'border-style': 'dashed', 'border-color': '#161616' } },
      {
        selector: 'node[?racine]',
        style: { width: 46, height: 46, 'border-width': 5, 'border-style': 'solid', 'border-color': '#e1000f', 'font-size': 13, 'font-weight': 'bold' }
      },
      { selector: 'node:selected', style: { 'overlay-color': '#000091', 'overlay-opacity': 0.25, 'overlay-padding': 7 } },
      {
        selector: 'edge',
        style: {
          width: 1.5,
          'line-color': '#929292',
          'target-arrow-color': '#929292',
          'target-arrow-shape': 'triangle',
          'arrow-scale': 0.9,
          'curve-style': 'bezier',
          label: 'data(kind_label)',
          'font-family': 'Marianne, arial, sans-serif',
          'font-size': 9,
          color: '#3a3a3a',
          'text-rotation': 'autorotate',
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.85,
          'text-background-padding': 1
        }
      },
      { selector: 'edge[?finie]', style: { 'line-style': 'dashed' } },
      { selector: 'edge.voisin', style: { width: 3, 'line-color': '#000091', 'target-arrow-color': '#000091' } }
    ]
  });

  // ---------------------------------------------------------------------------------------------
  // Text helpers.

  function plural(count, one, many) { return count + ' ' + (count === 1 ? one : many); }

  function frenchDate(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
    return parts ? parts[3] + '/' + parts[2] + '/' + parts[1] : (iso || '');
  }

  function period(start, end) {
    if (start && end) { return 'du ' + frenchDate(start) + ' au ' + frenchDate(end); }
    if (start) { return 'depuis le ' + frenchDate(start); }
    if (end) { return 'jusqu\u2019au ' + frenchDate(end); }
    return '';
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  // ---------------------------------------------------------------------------------------------
  // State: the seeds and filters of the chart.

  var expanded = []; // ids expanded so far, in order (each a seed at one hop)
  var filters = { kinds: null, from: '', to: '' };
  var busy = false;
  var lastSeq = null;

  function seeds() {
    var list = [{ id: ROOT, hops: Number(depthSelect.value) || 2 }];
    expanded.forEach(function (id) { if (id !== ROOT) { list.push({ id: id, hops: 1 }); } });
    return list;
  }

  function requestBody(seedList) {
    var body = { motif: MOTIF, seeds: seedList, max_nodes: MAX_NODES };
    if (filters.kinds) { body.kinds = filters.kinds; }
    if (filters.from) { body.from = filters.from; }
    if (filters.to) { body.to = filters.to; }
    return body;
  }

  function setBusy(value) {
    busy = value;
    actionButtons.forEach(function (button) { button.disabled = value; });
    depthSelect.disabled = value;
    if (value) { setEtat('chargement'); }
  }

  function post(url, body, accept) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: accept },
      body: JSON.stringify(body)
    });
  }

  // The French message of an API error ({"error": {"message", "details"}}), or a generic one.
  function errorMessage(response) {
    return response.json().then(function (body) {
      var error = body && body.error;
      if (!error || !error.message) { throw new Error('no message'); }
      var details = (error.details || []).map(function (d) { return d.message; }).filter(Boolean);
      return details.length ? error.message + ' ' + details.join(' ; ') : error.message;
    }).catch(function () {
      return 'Le serveur a refusé la demande (erreur ' + response.status + ').';
    });
  }

  function fetchGraph(seedList) {
    return post(GRAPH_URL, requestBody(seedList), 'application/json').then(function (response) {
      if (!response.ok) {
        return errorMessage(response).then(function (message) { throw new Error(message); });
      }
      return response.json();
    }, function () {
      throw new Error('Le serveur est injoignable : vérifiez la connexion et réessayez.');
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Elements.

  function nodeData(node, hop) {
    return {
      id: node.id,
      schema: node.schema,
      schema_label: node.schema_label || node.schema,
      caption: node.caption || '(sans nom)',
      departement: node.departement || '',
      hop: hop,
      racine: node.id === ROOT,
      developpee: expanded.indexOf(node.id) >= 0,
      colour: COLOURS[node.schema] || '#666666',
      shape: SHAPES[node.schema] || 'ellipse'
    };
  }

  function edgeData(edge) {
    return {
      id: 'lien-' + edge.id,
      link: edge.id,
      source: edge.source,
      target: edge.target,
      kind: edge.kind,
      kind_label: edge.kind_label || edge.kind,
      start: edge.start || '',
      end: edge.end || '',
      finie: Boolean(edge.end)
    };
  }

  function edgesToAdd(edges) {
    return (edges || []).filter(function (edge) {
      return cy.getElementById('lien-' + edge.id).empty() &&
        cy.getElementById(edge.source).nonempty() && cy.getElementById(edge.target).nonempty();
    }).map(function (edge) { return { group: 'edges', data: edgeData(edge) }; });
  }

  function showTruncated(answer) {
    if (answer.truncated) {
      truncatedText.textContent = 'Schéma tronqué à ' + plural((answer.nodes || []).length, 'entité', 'entités') +
        ' : filtrez ou réduisez la profondeur.';
      truncatedBox.hidden = false;
    } else {
      truncatedBox.hidden = true;
    }
  }

  function counts(extra) {
    var nodes = cy.nodes().length;
    var edges = cy.edges().length;
    container.setAttribute('data-noeuds', String(nodes));
    container.setAttribute('data-liens', String(edges));
    var text = plural(nodes, 'entité', 'entités') + ', ' + plural(edges, 'lien', 'liens');
    if (lastSeq !== null && lastSeq !== undefined) { text += ' (journal n° ' + lastSeq + ')'; }
    statusLine.textContent = extra ? text + '. ' + extra : text + '.';
  }

  function fullLayout() {
    var layout = cy.layout({
      name: 'cose',
      animate: false,
      randomize: true,
      fit: true,
      padding: 30,
      // Spread enough for the captions to be read at the zoom that fits the chart.
      idealEdgeLength: function () { return 100; },
      nodeRepulsion: function () { return 40000; },
      nodeOverlap: 40,
      gravity: 1
    });
    layout.run();
  }

  // ---------------------------------------------------------------------------------------------
  // Loading and expanding.

  function load() {
    if (busy) { return; }
    setBusy(true);
    clearError();
    statusLine.textContent = 'Chargement du schéma…';
    var seedList = seeds();
    fetchGraph(seedList).then(function (answer) {
      var selected = cy.$('node:selected').map(function (n) { return n.id(); });
      cy.elements().remove();
      cy.add((answer.nodes || []).map(function (node) {
        return { group: 'nodes', data: nodeData(node, node.hop) };
      }));
      cy.add(edgesToAdd(answer.edges));
      lastSeq = answer.journal_seq;
      fullLayout();
      selected.forEach(function (id) { cy.getElementById(id).select(); });
      showTruncated(answer);
      refresh();
      counts();
      setBusy(false);
      setEtat('pret');
    }).catch(function (error) {
      setBusy(false);
      setEtat('erreur');
      showError(error.message);
      statusLine.textContent = 'Le schéma n\u2019a pas pu être chargé.';
    });
  }

  function expand(id) {
    var centre = cy.getElementById(id);
    if (busy || centre.empty()) { return; }
    if (expanded.indexOf(id) < 0 && expanded.length >= MAX_EXPANDED) {
      showError('Au plus ' + MAX_EXPANDED + ' entités peuvent être développées dans un même schéma.');
      return;
    }
    setBusy(true);
    clearError();
    statusLine.textContent = 'Développement de « ' + centre.data('caption') + ' »…';
    fetchGraph([{ id: id, hops: 1 }]).then(function (answer) {
      if (expanded.indexOf(id) < 0) { expanded.push(id); }
      centre.data('developpee', true);
      var baseHop = Number(centre.data('hop')) || 0;
      var fresh = (answer.nodes || []).filter(function (node) { return cy.getElementById(node.id).empty(); });
      var added = cy.add(fresh.map(function (node) {
        return { group: 'nodes', data: nodeData(node, baseHop + (Number(node.hop) || 1)) };
      }));
      cy.add(edgesToAdd(answer.edges));
      placeAround(centre, added);
      lastSeq = answer.journal_seq;
      showTruncated(answer);
      refresh();
      var caption = centre.data('caption');
      counts(fresh.length === 0
        ? 'Aucune nouvelle entité liée à « ' + caption + ' ».'
        : plural(fresh.length, 'nouvelle entité ajoutée', 'nouvelles entités ajoutées') + ' autour de « ' + caption + ' ».');
      if (centre.selected()) { describe(centre); }
      setBusy(false);
      setEtat('pret');
    }).catch(function (error) {
      setBusy(false);
      setEtat(cy.nodes().length ? 'pret' : 'erreur');
      showError(error.message);
      counts();
    });
  }

  // Places the new nodes on a ring around `centre`, leaving every other node where it is.
  function placeAround(centre, nodes) {
    if (nodes.empty()) { return; }
    var at = centre.position();
    var radius = 90 + 10 * nodes.length;
    var step = 2 * Math.PI / nodes.length;
    nodes.forEach(function (node, i) {
      node.position({ x: at.x + radius * Math.cos(i * step), y: at.y + radius * Math.sin(i * step) });
    });
    var view = cy.extent();
    var outside = nodes.some(function (node) {
      var p = node.position();
      return p.x < view.x1 || p.x > view.x2 || p.y < view.y1 || p.y > view.y2;
    });
    if (outside) { cy.fit(cy.elements(), 30); }
  }

  // ---------------------------------------------------------------------------------------------
  // The selected entity's panel and the text alternative.

  function describe(node) {
    selection.replaceChildren();
    var list = document.createElement('dl');
    [
      ['Type', node.data('schema_label')],
      ['Nom', node.data('caption')],
      ['Département', node.data('departement') || '—'],
      ['Liens affichés', String(node.connectedEdges().length)]
    ].forEach(function (row) {
      list.appendChild(element('dt', row[0]));
      list.appendChild(element('dd', row[1]));
    });
    selection.appendChild(list);
    var buttons = element('ul', null, 'fr-btns-group fr-btns-group--sm fr-btns-group--icon-left fr-mb-0');
    var expandItem = document.createElement('li');
    var expandButton = element('button', node.data('developpee') ? 'Développer à nouveau' : 'Développer',
      'fr-btn fr-icon-add-circle-line fr-btn--icon-left');
    expandButton.type = 'button';
    expandButton.id = 'schema-developper';
    expandButton.addEventListener('click', function () { expand(node.id()); });
    expandItem.appendChild(expandButton);
    buttons.appendChild(expandItem);
    var openItem = document.createElement('li');
    var open = element('a', 'Ouvrir la fiche', 'fr-btn fr-btn--secondary');
    open.id = 'schema-ouvrir';
    open.href = '/entites/' + encodeURIComponent(node.id());
    open.target = '_blank';
    open.rel = 'noopener';
    open.title = 'Ouvrir la fiche (nouvelle fenêtre) : le motif de la consultation sera demandé';
    openItem.appendChild(open);
    buttons.appendChild(openItem);
    selection.appendChild(buttons);
  }

  function clearSelection() {
    selection.replaceChildren(element('p', 'Aucune : cliquez sur une entité du schéma.', 'fr-text--sm fr-mb-0'));
  }

  function byCaption(a, b) { return a.data('caption').localeCompare(b.data('caption'), 'fr'); }

  // Rebuilds the list of entities and links under the chart.
  function refresh() {
    listing.replaceChildren();
    var nodes = cy.nodes().toArray().sort(function (a, b) {
      if (a.data('racine') !== b.data('racine')) { return a.data('racine') ? -1 : 1; }
      return (a.data('hop') - b.data('hop')) || byCaption(a, b);
    });
    listing.appendChild(element('h3', 'Entités (' + nodes.length + ')', 'fr-h6'));
    var entityList = element('ul', null, 'fr-text--sm');
    entityList.id = 'schema-liste-entites';
    nodes.forEach(function (node) {
      var item = document.createElement('li');
      item.appendChild(element('strong', node.data('caption')));
      var facts = ' — ' + node.data('schema_label');
      if (node.data('departement')) { facts += ', département ' + node.data('departement'); }
      if (node.data('racine')) { facts += ' (fiche consultée)'; } else if (node.data('developpee')) { facts += ' (développée)'; }
      item.appendChild(document.createTextNode(facts + ' '));
      var button = element('button', 'Développer', 'fr-btn fr-btn--sm fr-btn--tertiary-no-outline');
      button.type = 'button';
      button.setAttribute('data-developper', node.id());
      button.setAttribute('aria-label', 'Développer « ' + node.data('caption') + ' »');
      item.appendChild(button);
      entityList.appendChild(item);
    });
    listing.appendChild(entityList);
    var edges = cy.edges().toArray().sort(function (a, b) {
      return byCaption(a.source(), b.source()) || byCaption(a.target(), b.target());
    });
    listing.appendChild(element('h3', 'Liens (' + edges.length + ')', 'fr-h6'));
    var linkList = element('ul', null, 'fr-text--sm');
    linkList.id = 'schema-liste-liens';
    edges.forEach(function (edge) {
      var when = period(edge.data('start'), edge.data('end'));
      linkList.appendChild(element('li', edge.source().data('caption') + ' — ' + edge.data('kind_label') + ' \u2192 ' +
        edge.target().data('caption') + (when ? ' (' + when + ')' : '')));
    });
    listing.appendChild(linkList);
  }

  listing.addEventListener('click', function (event) {
    var button = event.target.closest('[data-developper]');
    if (button) { expand(button.getAttribute('data-developper')); }
  });

  cy.on('select', 'node', function (event) {
    cy.edges().removeClass('voisin');
    event.target.connectedEdges().addClass('voisin');
    describe(event.target);
  });
  cy.on('unselect', 'node', function () {
    cy.edges().removeClass('voisin');
    if (cy.$('node:selected').empty()) { clearSelection(); }
  });
  cy.on('dbltap', 'node', function (event) { expand(event.target.id()); });

  // ---------------------------------------------------------------------------------------------
  // Filters, layout and exports.

  function readFilters() {
    var boxes = Array.prototype.slice.call(kindsFieldset.querySelectorAll('input[type=checkbox]'));
    var checked = boxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
    kindsMessages.replaceChildren();
    kindsFieldset.classList.remove('fr-fieldset--error');
    if (checked.length === 0) {
      kindsFieldset.classList.add('fr-fieldset--error');
      kindsMessages.appendChild(element('p', 'Cochez au moins un type de lien.', 'fr-message fr-message--error'));
      return false;
    }
    if (fromInput.value && toInput.value && fromInput.value > toInput.value) {
      showError('La date « Au » précède la date « Du ».');
      return false;
    }
    filters = {
      kinds: checked.length === boxes.length ? null : checked,
      from: fromInput.value || '',
      to: toInput.value || ''
    };
    return true;
  }

  function download(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function fileName(response, fallback) {
    var header = response.headers.get('content-disposition') || '';
    var match = /filename="?([^";]+)"?/i.exec(header);
    return match ? match[1] : fallback;
  }

  document.getElementById('schema-appliquer').addEventListener('click', function () {
    clearError();
    if (readFilters()) { load(); }
  });

  depthSelect.addEventListener('change', function () {
    clearError();
    if (readFilters()) { load(); }
  });

  document.getElementById('schema-reorganiser').addEventListener('click', function () {
    if (cy.nodes().nonempty()) { fullLayout(); }
  });

  document.getElementById('schema-png').addEventListener('click', function () {
    if (cy.nodes().empty()) { return; }
    var result = cy.png({ full: true, scale: 2, output: 'blob', bg: '#ffffff' });
    Promise.resolve(result).then(function (blob) {
      download(blob, 'schema-relationnel.png');
      counts('Image PNG du schéma téléchargée.');
    }).catch(function () { showError('L\u2019image du schéma n\u2019a pas pu être produite.'); });
  });

  document.getElementById('schema-anx').addEventListener('click', function () {
    if (busy) { return; }
    var body = requestBody(seeds());
    body.positions = {};
    cy.nodes().forEach(function (node) {
      var p = node.position();
      body.positions[node.id()] = { x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 };
    });
    setBusy(true);
    clearError();
    post(ANX_URL, body, 'application/xml').then(function (response) {
      if (!response.ok) {
        return errorMessage(response).then(function (message) { throw new Error(message); });
      }
      return response.blob().then(function (blob) {
        download(blob, fileName(response, 'schema-relationnel.anx'));
        counts('Fichier ANX téléchargé (i2 Analyst\u2019s Notebook).');
      });
    }, function () {
      throw new Error('Le serveur est injoignable : vérifiez la connexion et réessayez.');
    }).catch(function (error) {
      showError(error.message);
    }).finally(function () {
      setBusy(false);
      setEtat(cy.nodes().length ? 'pret' : 'erreur');
    });
  });

  var csvType = document.getElementById('schema-csv-type');
  var csvMapping = document.getElementById('schema-csv-correspondance');
  var csvButton = document.getElementById('schema-csv-exporter');
  if (csvType && csvMapping && csvButton) {
    csvType.addEventListener('change', function () {
      var option = csvType.options[csvType.selectedIndex];
      csvMapping.value = option ? (option.getAttribute('data-correspondance') || '') : '';
    });
    csvButton.addEventListener('click', function () {
      if (busy) { return; }
      var body = requestBody(seeds());
      body.schema = csvType.value;
      body.mapping = csvMapping.value;
      var label = csvType.options[csvType.selectedIndex] ? csvType.options[csvType.selectedIndex].text : csvType.value;
      setBusy(true);
      clearError();
      post(CSV_URL, body, 'text/csv').then(function (response) {
        if (!response.ok) {
          return errorMessage(response).then(function (message) { throw new Error(message); });
        }
        return response.blob().then(function (blob) {
          download(blob, fileName(response, 'schema-relationnel.csv'));
          counts('Fichier CSV téléchargé (' + label + ').');
        });
      }, function () {
        throw new Error('Le serveur est injoignable : vérifiez la connexion et réessayez.');
      }).catch(function (error) {
        showError(error.message);
      }).finally(function () {
        setBusy(false);
        setEtat(cy.nodes().length ? 'pret' : 'erreur');
      });
    });
  }

  load();
}());
