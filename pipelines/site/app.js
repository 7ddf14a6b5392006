/* app.js: the NZCCSS dashboard.  Reads window.NZ_DATA (data.js, written by
 * publish) and draws the charts with Vega-Lite (specs.js); every chart has
 * a real table beside it. */
(function () {
  'use strict';

  var D = window.NZ_DATA;
  var MEASURES = {
    clients: 'Clients', households: 'Households',
    events: 'Events (visits)', units: 'Units (e.g. food parcels)'
  };
  var BREAKDOWNS = ['need', 'ethnicity', 'age_band', 'household', 'income',
                    'housing', 'service', 'gender'];
  var state = {region: '*', measure: 'clients', period: D.latest};

  /* ---- data ---- */

  function labelMap(dim) {
    var map = {'*': dim === 'region' ? 'New Zealand' : 'All'};
    D.labels[dim].codes.forEach(function (pair) { map[pair[0]] = pair[1]; });
    return map;
  }
  var regionLabel = labelMap('region');

  function objects(columns, rows) {
    return rows.map(function (row) {
      var o = {};
      columns.forEach(function (c, i) { o[c] = row[i]; });
      return o;
    });
  }
  var totals = objects(D.totals.columns, D.totals.rows);
  var breakdowns = {};
  BREAKDOWNS.forEach(function (dim) {
    breakdowns[dim] = objects(D.breakdowns.columns, D.breakdowns[dim] || []);
  });

  function pick(row, measure) {
    return {value: row[measure], low: row[measure + '_low'],
            high: row[measure + '_high']};
  }

  /* ---- formatting ---- */

  var numberFormat = new Intl.NumberFormat('en-NZ');
  function fmt(v) {
    return v === null || v === undefined ? 'no upper limit' : numberFormat.format(v);
  }
  function signed(v) {
    if (v === null || v === undefined) return 'no limit';
    return (v > 0 ? '+' : v < 0 ? '\u2212' : '') + numberFormat.format(Math.abs(v));
  }
  function range(low, high) {
    return high === null ? fmt(low) + ' or more' : fmt(low) + ' to ' + fmt(high);
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /* a real table: head is a list of column titles; rows of cell texts;
   * the first cell of each row is its header */
  function table(caption, head, rows, numeric) {
    var t = el('table'), thead = el('thead'), tbody = el('tbody'), tr;
    t.appendChild(el('caption', {}, caption));
    tr = el('tr');
    head.forEach(function (h) { tr.appendChild(el('th', {scope: 'col'}, h)); });
    thead.appendChild(tr);
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (cell, i) {
        var c = i === 0 ? el('th', {scope: 'row'}, cell) : el('td', {}, cell);
        if (i > 0 && numeric && numeric[i]) c.className = 'num';
        row.appendChild(c);
      });
      tbody.appendChild(row);
    });
    t.appendChild(thead);
    t.appendChild(tbody);
    return t;
  }

  function put(id, node) {
    var box = document.getElementById(id);
    box.textContent = '';
    box.appendChild(node);
  }

  function draw(id, spec) {
    var box = document.getElementById(id);
    return vegaEmbed(box, spec, {actions: false, renderer: 'svg'})
      .catch(function (err) {
        box.textContent = 'The chart could not be drawn: ' + err.message;
        console.error(err);
      });
  }

  /* ---- controls ---- */

  function fillSelect(id, options, value) {
    var s = document.getElementById(id);
    options.forEach(function (o) {
      var opt = el('option', {value: o[0]}, o[1]);
      if (o[0] === value) opt.selected = true;
      s.appendChild(opt);
    });
    return s;
  }

  function setupControls() {
    var regions = [['*', 'New Zealand (all regions)']].concat(
      D.regions.map(function (r) { return [r, regionLabel[r]]; }));
    var measures = D.measures.map(function (m) { return [m, MEASURES[m] || m]; });
    var periods = D.periods.slice().reverse().map(function (p) { return [p, p]; });
    fillSelect('region-select', regions, state.region)
      .addEventListener('change', function (e) { state.region = e.target.value; render(); });
    fillSelect('measure-select', measures, state.measure)
      .addEventListener('change', function (e) { state.measure = e.target.value; render(); });
    fillSelect('period-select', periods, state.period)
      .addEventListener('change', function (e) { state.period = e.target.value; renderBreakdowns(); });
  }

  /* ---- sections ---- */

  function regionRows(region) {
    return totals.filter(function (r) { return r.region === region; });
  }

  function renderHeadline() {
    var row = totals.filter(function (r) {
      return r.region === state.region && r.period === D.latest;
    })[0];
    var v = pick(row, state.measure);
    var valueEl = document.getElementById('headline-value');
    document.getElementById('headline-period').textContent = D.latest;
    document.getElementById('headline-label').textContent =
      MEASURES[state.measure] + ', ' + regionLabel[state.region] + ':';
    valueEl.textContent = fmt(v.value);
    valueEl.setAttribute('data-value', v.value);
    document.getElementById('headline-range').textContent =
      '(range ' + range(v.low, v.high) + ')';
    var cards = document.getElementById('cards');
    cards.textContent = '';
    D.measures.forEach(function (m) {
      var p = pick(row, m);
      var card = el('div', {'class': 'card' + (m === state.measure ? ' current' : '')});
      card.appendChild(el('span', {'class': 'card-title'}, MEASURES[m]));
      card.appendChild(el('span', {'class': 'card-value'}, fmt(p.value)));
      card.appendChild(el('span', {'class': 'range'}, range(p.low, p.high)));
      cards.appendChild(card);
    });
    var ag = document.createElement('div');
    ag.className = 'card';
    ag.appendChild(el('span', {'class': 'card-title'}, 'Agencies contributing'));
    ag.appendChild(el('span', {'class': 'card-value'}, String(row.agencies)));
    ag.appendChild(el('span', {'class': 'range'}, 'in ' + D.latest));
    cards.appendChild(ag);
  }

  function renderTrend() {
    var title = MEASURES[state.measure];
    var rows = regionRows(state.region).map(function (r) {
      var p = pick(r, state.measure);
      return {period: r.period, value: p.value, low: p.low, high: p.high};
    });
    draw('chart-trend', NZSpecs.trend(rows, D.events, {measureTitle: title}));
    put('table-trend', table(title + ', ' + regionLabel[state.region],
      ['Quarter', 'Estimate', 'Range', 'Agencies'],
      regionRows(state.region).map(function (r) {
        var p = pick(r, state.measure);
        return [r.period, fmt(p.value), range(p.low, p.high), String(r.agencies)];
      }), [0, 1, 0, 1]));

    var byRegion = totals.filter(function (r) { return r.region !== '*'; })
      .map(function (r) {
        return {period: r.period, region: regionLabel[r.region], value: r[state.measure]};
      });
    draw('chart-regions', NZSpecs.regions(byRegion, {
      measureTitle: title, legendColumns: window.innerWidth < 600 ? 2 : 4,
      order: D.regions.map(function (r) { return regionLabel[r]; })}));
    put('table-regions', table(title + ' by region and quarter',
      ['Region'].concat(D.periods),
      D.regions.map(function (code) {
        return [regionLabel[code]].concat(D.periods.map(function (p) {
          var r = totals.filter(function (t) { return t.region === code && t.period === p; })[0];
          return r ? fmt(r[state.measure]) : '';
        }));
      }), [0].concat(D.periods.map(function () { return 1; }))));
  }

  function renderBreakdowns() {
    var box = document.getElementById('breakdowns');
    var title = MEASURES[state.measure];
    box.textContent = '';
    document.getElementById('breakdown-where').textContent =
      regionLabel[state.region] + ', ' + state.period;
    BREAKDOWNS.forEach(function (dim) {
      var labels = labelMap(dim), info = D.labels[dim];
      var rows = breakdowns[dim].filter(function (r) {
        return r.region === state.region && r.period === state.period;
      }).map(function (r) {
        var p = pick(r, state.measure);
        return {label: labels[r.code], value: p.value, low: p.low, high: p.high};
      });
      var fig = el('figure', {'class': 'panel'});
      var id = 'chart-' + dim;
      fig.appendChild(el('figcaption', {id: id + '-title'},
        info.title + (info.multi && !/total response/.test(info.title) ?
                      ' (total response)' : '')));
      box.appendChild(fig);
      if (!rows.length) {
        fig.appendChild(el('p', {'class': 'note'}, 'No figures for this choice.'));
        return;
      }
      fig.appendChild(el('div', {'class': 'chart', id: id, role: 'img',
        'aria-label': info.title + ': bar chart of ' + title.toLowerCase()}));
      var details = el('details');
      details.appendChild(el('summary', {}, 'Table: ' + info.title));
      details.appendChild(table(title + ' by ' + info.title.toLowerCase(),
        [info.title, 'Estimate', 'Range'],
        rows.map(function (r) { return [r.label, fmt(r.value), range(r.low, r.high)]; }),
        [0, 1, 0]));
      fig.appendChild(details);
      draw(id, NZSpecs.bars(rows, {measureTitle: title, dimTitle: info.title}));
    });
  }

  function changeTable(which, caption) {
    var m = state.measure;
    var rows = D.changes[which].filter(function (c) { return c.region === state.region; })
      .slice().reverse().map(function (c) {
        var v = c[m];   /* level, low, high, base, ..., change, low, high, pct, sig */
        var who = [];
        if (c.agencies_joined.length) who.push('joined: ' + c.agencies_joined.join(', '));
        if (c.agencies_left.length) who.push('left: ' + c.agencies_left.join(', '));
        return [c.period + ' on ' + c.base_period, fmt(v[3]), fmt(v[0]), signed(v[6]),
                signed(v[7]) + ' to ' + signed(v[8]),
                v[9] === null ? '' : (v[9] > 0 ? '+' : v[9] < 0 ? '\u2212' : '') +
                  Math.abs(v[9]).toFixed(1) + '%',
                v[10] ? 'yes' : 'no',
                String(c.agencies_matched) + (who.length ? ' (' + who.join('; ') + ')' : ''),
                c.policy_events.join('; ')];
      });
    if (!rows.length)
      return el('p', {'class': 'note'}, 'No comparison is possible yet.');
    return table(caption + ': ' + MEASURES[m] + ', ' + regionLabel[state.region],
      ['Quarter', 'Before', 'After', 'Change', 'Range of change', '%', 'Significant',
       'Agencies compared', 'Policy events between'], rows, [0, 1, 1, 1, 1, 1, 0, 0, 0]);
  }

  function renderChanges() {
    put('table-qoq', changeTable('qoq', 'On the previous quarter'));
    put('table-yoy', changeTable('yoy', 'On the same quarter a year before'));
  }

  function renderAgencies() {
    draw('chart-agencies', NZSpecs.agencies(D.agencies.map(function (a) {
      return {period: a.period, count: a.count};
    })));
    put('table-agencies', table('Agencies contributing each quarter',
      ['Quarter', 'Agencies', 'Which'],
      D.agencies.map(function (a) {
        return [a.period, String(a.count), a.agencies.join(', ')];
      }), [0, 1, 0]));
  }

  function renderEvents() {
    var list = document.getElementById('events');
    D.events.slice().reverse().forEach(function (e) {
      var li = el('li');
      li.appendChild(el('time', {datetime: e.date}, e.date));
      li.appendChild(document.createTextNode(' '));
      if (e.url) li.appendChild(el('a', {href: e.url}, e.title));
      else li.appendChild(document.createTextNode(e.title));
      list.appendChild(li);
    });
  }

  function render() {
    renderHeadline();
    renderTrend();
    renderBreakdowns();
    renderChanges();
  }

  document.getElementById('data-note').textContent =
    D.periods[0] + ' to ' + D.latest + ', ' + D.regions.length + ' regions.';
  setupControls();
  render();
  renderAgencies();
  renderEvents();
})();
