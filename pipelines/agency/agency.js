/* agency.js: the agency's internal report.  Reads window.NZ_AGENCY
 * (data.js, written by agency-view from the agency's internal files) and
 * draws it with the dashboard's modules: words.js writes the figures,
 * specs.js and charts.js draw the charts, and figures.js reads the
 * national figures (their shares and ranges) when a national build was
 * given.  The agency's own counts are exact: they carry no range, and
 * every chart, table caption and CSV export carries the marking
 * "INTERNAL: not for publication".
 *
 * The dimensions come from the data: a new one shows up under "who"
 * without a change here.  WHY names the ones shown under "why people
 * came and what they got" instead; the first dimension is the geography. */
(function () {
  'use strict';

  var A = window.NZ_AGENCY, W = NZWords, C = NZCharts, S = NZSpecs, el = C.el;
  var WHY = ['need', 'service', 'referral'];
  var MARK = A.marking, NAME = A.name || A.agency;
  var FEW = 5;          /* a not-stated share (%) worth fixing */

  /* ---- the data as objects ---- */

  function objects(table) {
    return table.rows.map(function (r) {
      var o = {};
      table.columns.forEach(function (c, i) { o[c] = r[i]; });
      return o;
    });
  }
  var allDims = A.dimensions.map(function (d) {
    var label = {};
    d.codes.forEach(function (c) { label[c[0]] = c[1]; });
    return {name: d.name, title: d.title, multi: d.multi, codes: d.codes, label: label,
            notStated: d.not_stated, computed: d.computed};
  });
  var dimByName = {};
  allDims.forEach(function (d) { dimByName[d.name] = d; });
  /* outcome (issue 23) has a section of its own: its bands are no
   * breakdown of the clients, and outcomes are never set beside other
   * agencies' (the comparison) nor read as a field not stated */
  var OUTCOME = dimByName.outcome || null;
  var dims = allDims.filter(function (d) { return d !== OUTCOME; });
  /* the fields of the export: a computed dimension (the flow measures)
   * has no "not stated" to fix in the CMS */
  var fields = dims.filter(function (d) { return !d.computed; });
  var REGION = dims[0];
  var whyDims = dims.filter(function (d) { return WHY.indexOf(d.name) >= 0; });
  var whoDims = dims.filter(function (d) { return WHY.indexOf(d.name) < 0; });
  var periods = A.periods, cells = objects(A.cells), cellIndex = {};
  cells.forEach(function (c) {
    cellIndex[[c.period, c.region, c.dimension || '', c.code || ''].join('|')] = c;
  });
  function cell(p, region, dim, code) {
    return cellIndex[[p, region || '*', dim || '', code || ''].join('|')] || null;
  }
  /* a group's cell: the geography's groups are regions, the others a
   * dimension set within a region (or all) */
  function groupCell(p, region, d, code) {
    if (d !== REGION) return cell(p, region, d.name, code);
    return region === '*' || region === code ? cell(p, code) : null;
  }
  /* the codes of a dimension with figures in some quarter */
  function usedCodes(d) {
    return d.codes.filter(function (c) {
      return periods.some(function (p) { return groupCell(p, '*', d, c[0]); });
    });
  }
  var complexity = {};
  objects(A.complexity).forEach(function (r) { complexity[r.period] = r; });
  var workers = A.workers ? objects(A.workers) : null;
  var measures = A.measures;
  function measureOf(name) {
    return measures.filter(function (m) { return m.name === name; })[0];
  }

  /* the national figures through figures.js: its shares, ranges and the
   * policy events numbered as on the dashboard */
  var N = A.national;
  var F = NZFigures.model({
    shown_min: N ? N.shown_min : 6, max_range_share: N ? N.max_range_share : 20,
    dimensions: A.dimensions, measures: measures, periods: periods, agencies: {},
    events: A.events, changes: {columns: [], rows: []},
    cells: N ? N.cells : {columns: ['period', 'region', 'dimension', 'code'], rows: []}
  });
  var EVENTS = F.events;

  var state = {period: periods[periods.length - 1], whoMeasure: measures[0].name,
               whoDim: whoDims[0].name, whyDim: (whyDims[0] || dims[1]).name, whyCode: null,
               event: null, workersPeriod: periods[periods.length - 1],
               cmpDim: dims[1].name, cmpRegion: '*'};

  /* ---- exact figures ---- */

  function exact(n) { return {est: n, low: n, high: n, shown: 'number'}; }
  /* n of d in percent, to 0.1 */
  function pct(n, d) {
    if (!d) return null;
    var v = Math.round(1000 * n / d) / 10;
    return {est: v, low: v, high: v, shown: 'number'};
  }
  function ratio(n, d) { return d ? Math.round(100 * n / d) / 100 : null; }
  function pctText(f) { return f ? W.num(f.est, '%') : ''; }
  function numCell(v, unit) {
    var td = el('td', {'class': 'num' + (v === 0 ? ' zero' : ''),
                       'data-value': v === null || v === undefined ? '' : String(v)});
    td.textContent = v === null || v === undefined ? '' : unit === 'ratio' ? v.toFixed(2) :
      W.num(v, unit);
    return td;
  }
  function shareCell(f) { return numCell(f ? f.est : null, '%'); }
  function figData(n, what) {
    return el('data', {value: String(n), 'data-measure': what}, W.num(n));
  }
  function regionName(code) {
    return code === '*' ? 'all our regions' : REGION.label[code] || code;
  }
  function codeLabel(d, code) {
    return code === null ? 'Not stated' : d.label[code] || code;
  }
  function quarterName(p) {
    return p === '*' ? 'all quarters (' + periods[0] + ' to ' + periods[periods.length - 1] + ')' : p;
  }

  /* ---- the page's plumbing ---- */

  function put(id, node) {
    var box = document.getElementById(id);
    box.textContent = '';
    if (node) box.appendChild(node);
    return box;
  }
  function clear(id) { return put(id, null); }
  function fillSelect(id, options, value, onChange) {
    var s = document.getElementById(id);
    s.textContent = '';
    options.forEach(function (o) {
      var opt = el('option', {value: o[0]}, o[1]);
      if (o[0] === value) opt.selected = true;
      s.appendChild(opt);
    });
    if (onChange && !s.dataset.bound) {
      s.dataset.bound = '1';
      s.addEventListener('change', function (e) { onChange(e.target.value); });
    }
  }
  function caption(text) { return text + ' (' + MARK.toLowerCase() + ')'; }
  function table(cap, head, rows, opts) {
    return C.table(cap === null ? null : caption(cap), head, rows, opts);
  }
  /* every chart carries the marking in its image, and every CSV in its
   * first line */
  function figure(box, opts) {
    opts.spec.title = {text: MARK + ' \u00b7 ' + NAME, anchor: 'start', fontSize: 11,
                       color: '#7a1f1f', fontWeight: 'bold'};
    if (opts.csv)
      opts.csv.preamble = [MARK + ': ' + NAME + ', exact counts from its own records; ' +
                           'do not publish or pass on'];
    return C.figure(box, opts);
  }
  function note(id, text) { document.getElementById(id).textContent = text; }

  /* the rows of a breakdown in a quarter and region: every code with a
   * cell, its counts and its share of the clients */
  function breakdown(d, p, region) {
    var total = cell(p, region);
    return d.codes.map(function (c) {
      var r = groupCell(p, region, d, c[0]);
      return r ? {code: c[0], label: c[1], row: r,
                  share: pct(r.clients, total ? total.clients : 0)} : null;
    }).filter(Boolean);
  }
  function breakdownCsv(d, p, region) {
    return {columns: ['period', 'region', 'dimension', 'code', 'label', 'clients', 'households',
                      'events', 'units', 'share'],
            rows: breakdown(d, p, region).map(function (r) {
              return [p, region, d.name, r.code, r.label, r.row.clients, r.row.households,
                      r.row.events, r.row.units, r.share ? r.share.est : null];
            })};
  }
  function breakdownTable(d, p, region) {
    return table(d.title + ', ' + p, [d.title, 'Clients', 'Share of clients', 'Households',
                                      'Visits', 'Units'],
      breakdown(d, p, region).map(function (r) {
        return [r.label, numCell(r.row.clients), shareCell(r.share), numCell(r.row.households),
                numCell(r.row.events), numCell(r.row.units)];
      }), {className: 'stack'});
  }
  function bars(box, id, d, p, region) {
    var rows = breakdown(d, p, region);
    figure(box, {
      id: id, title: d.title + ': clients, ' + p + (region === '*' ? '' : ', ' + regionName(region)),
      spec: S.bars(rows.map(function (r) {
        return Object.assign({label: r.label, tip: W.num(r.row.clients) + ' (' +
                              pctText(r.share) + ')'}, exact(r.row.clients));
      }), {title: 'Clients', dimTitle: d.title}),
      csv: breakdownCsv(d, p, region),
      table: breakdownTable(d, p, region), tableOpen: true
    });
  }

  /* ---- who we worked with ---- */

  function renderWhoSummary() {
    var p = state.period, t = cell(p, '*'), all = complexity['*'], list = clear('who-summary');
    var li = el('li', {'data-period': p});
    if (t) {
      li.appendChild(document.createTextNode('In ' + p + ': '));
      li.appendChild(figData(t.clients, 'clients'));
      li.appendChild(document.createTextNode(' clients from '));
      li.appendChild(figData(t.households, 'households'));
      li.appendChild(document.createTextNode(' households, '));
      li.appendChild(figData(t.events, 'events'));
      li.appendChild(document.createTextNode(' visits (' + (ratio(t.events, t.clients) || 0)
        .toFixed(2) + ' per client) and '));
      li.appendChild(figData(t.units, 'units'));
      li.appendChild(document.createTextNode(' units given (e.g. food parcels).'));
    } else li.textContent = 'No figures for ' + p + '.';
    list.appendChild(li);
    flowSummary(p, list);
    if (!all) return;
    li = el('li', {'data-period': '*'});
    li.appendChild(document.createTextNode('Over ' + quarterName('*') + ': '));
    li.appendChild(figData(all.clients, 'clients'));
    li.appendChild(document.createTextNode(' different clients and '));
    li.appendChild(figData(all.events, 'events'));
    li.appendChild(document.createTextNode(' visits. A client seen in several quarters counts ' +
      'once here and once in each quarter.'));
    list.appendChild(li);
  }

  /* new and returning, visits and needs (issue 16): exact, from the
   * flow measures' cells of the quarter */
  function flowSummary(p, list) {
    var st = dimByName.client_status, vb = dimByName.visits_band,
        nb = dimByName.needs_band, t = cell(p, '*');
    if (!st || !vb || !nb || !t) return;
    var n = cell(p, '*', 'client_status', 'new'), r = cell(p, '*', 'client_status', 'returning');
    var parts = [];
    if (n && r && n.clients + r.clients > 0)
      parts.push(W.num(n.clients) + ' new and ' + W.num(r.clients) + ' returning (' +
        pctText(pct(n.clients, n.clients + r.clients)) + ' new' +
        (n.clients + r.clients < t.clients ? '; ' + W.num(t.clients - n.clients - r.clients) +
         ' not known: our export does not reach back 12 months' : '') + ')');
    else if (n && r)
      parts.push('new or returning not known: our export does not reach back 12 months');
    parts.push('visits: ' + vb.codes.map(function (c) {
      var x = cell(p, '*', 'visits_band', c[0]);
      return W.num(x ? x.clients : 0) + ' with ' + c[1].toLowerCase();
    }).join(', '));
    parts.push('needs: ' + nb.codes.map(function (c) {
      var x = cell(p, '*', 'needs_band', c[0]);
      return W.num(x ? x.clients : 0) + ' with ' + c[1].toLowerCase();
    }).join(', '));
    var li = el('li', {'data-period': p, id: 'who-flows'});
    li.textContent = 'Clients in ' + p + ': ' + parts.join('; ') + '.';
    list.appendChild(li);
  }

  function renderWhoTrend() {
    var m = measureOf(state.whoMeasure);
    var rows = periods.map(function (p) { return cell(p, '*'); }).filter(Boolean);
    figure(clear('who-trend-box'), {
      id: 'who-trend', title: m.title + ', each quarter',
      spec: S.trend(rows.map(function (r) {
        return Object.assign({period: r.period, tip: W.num(r[m.name])}, exact(r[m.name]));
      }), {title: m.title, periods: periods, events: EVENTS, height: 200}),
      events: EVENTS, onCompare: compareEvent,
      legend: [['k-line', m.title], ['k-event', 'Policy change']],
      csv: {columns: ['period', 'clients', 'households', 'events', 'units'],
            rows: rows.map(function (r) {
              return [r.period, r.clients, r.households, r.events, r.units];
            })},
      table: table(m.title + ', each quarter', ['Quarter', 'Clients', 'Households', 'Visits',
                                                'Visits per client', 'Units'],
        rows.map(function (r) {
          return [r.period, numCell(r.clients), numCell(r.households), numCell(r.events),
                  numCell(ratio(r.events, r.clients), 'ratio'), numCell(r.units)];
        }))
    });
  }

  function renderWhoBars() {
    var d = dimByName[state.whoDim];
    note('who-note', (d.multi ? d.title + ' is counted by total response: a client can be ' +
      'in several groups, so the groups add up to more than the clients. ' : '') +
      'Each quarter by itself; the table below gives every quarter.');
    bars(clear('who-bars-box'), 'who-bars', d, state.period, '*');
    var wrap = clear('who-quarters-box');
    wrap.appendChild(table(d.title + ': clients each quarter', [d.title].concat(periods),
      usedCodes(d).map(function (c) {
        return [c[1]].concat(periods.map(function (p) {
          var r = groupCell(p, '*', d, c[0]);
          return numCell(r ? r.clients : null);
        }));
      })));
  }

  /* ---- why people came and what they got ---- */

  function renderWhyBars() {
    var d = dimByName[state.whyDim];
    var codes = usedCodes(d);
    if (!codes.some(function (c) { return c[0] === state.whyCode; }))
      state.whyCode = (codes[0] || d.codes[0])[0];
    fillSelect('why-code-select', codes, state.whyCode,
               function (v) { state.whyCode = v; renderWhyTrend(); });
    bars(clear('why-bars-box'), 'why-bars', d, state.period, '*');
    renderWhyTrend();
    renderWhyEvents();
  }

  function renderWhyTrend() {
    var d = dimByName[state.whyDim], code = state.whyCode;
    var rows = periods.map(function (p) {
      var r = cell(p, '*', d.name, code), t = cell(p, '*');
      return r && t ? {period: p, clients: r.clients, total: t.clients,
                       share: pct(r.clients, t.clients)} : null;
    }).filter(Boolean);
    figure(clear('why-trend-box'), {
      id: 'why-trend', title: d.title + ': ' + d.label[code] + ', share of clients each quarter',
      spec: S.trend(rows.map(function (r) {
        return Object.assign({period: r.period, tip: pctText(r.share) + ' (' +
                              W.num(r.clients) + ')'}, r.share);
      }), {title: 'Share of clients', unit: '%', periods: periods, events: EVENTS,
           height: 200}),
      events: EVENTS, onCompare: compareEvent,
      legend: [['k-line', 'Share of clients'], ['k-event', 'Policy change']],
      csv: {columns: ['period', 'dimension', 'code', 'clients', 'clients_total', 'share'],
            rows: rows.map(function (r) {
              return [r.period, d.name, code, r.clients, r.total, r.share.est];
            })},
      table: table(d.label[code] + ', each quarter', ['Quarter', 'Clients', 'Of all clients',
                                                       'Share'],
        rows.map(function (r) {
          return [r.period, numCell(r.clients), numCell(r.total), shareCell(r.share)];
        }))
    });
  }

  function compareEvent(ev) {
    state.event = ev.date;
    renderWhyEvents();
    document.getElementById('why-events-title').scrollIntoView();
    document.getElementById('why-event-select').focus();
  }

  function renderWhyEvents() {
    var usable = EVENTS.filter(function (e) {
      return cell(e.before, '*') && cell(e.after, '*');
    });
    if (!state.event && usable.length) state.event = usable[usable.length - 1].date;
    fillSelect('why-event-select', EVENTS.map(function (e) {
      return [e.date, W.date(e.date) + ': ' + e.title];
    }), state.event, function (v) { state.event = v; renderWhyEvents(); });
    var ev = usable.filter(function (e) { return e.date === state.event; })[0];
    var box = clear('why-events-box'), d = dimByName[state.whyDim];
    if (!ev) {
      box.appendChild(el('p', {'class': 'note'}, usable.length ? 'Our figures do not cover ' +
        'the quarters either side of this change.' : 'No policy event falls within our quarters.'));
      return;
    }
    var before = breakdown(d, ev.before, '*'), after = breakdown(d, ev.after, '*');
    var rows = d.codes.map(function (c) {
      var b = before.filter(function (r) { return r.code === c[0]; })[0];
      var a = after.filter(function (r) { return r.code === c[0]; })[0];
      return b && a ? {code: c[0], label: c[1], before: b, after: a} : null;
    }).filter(Boolean);
    var chartRows = [];
    rows.forEach(function (r) {
      ['before', 'after'].forEach(function (w) {
        chartRows.push(Object.assign({label: r.label, when: w, tip: pctText(r[w].share)},
                                     r[w].share));
      });
    });
    box.appendChild(el('p', {'class': 'ba-lede'}, W.date(ev.date) + ': ' + ev.title + '. ' +
      d.title + ', share of our clients in ' + ev.before + ' (before) and ' + ev.after +
      ' (after).'));
    figure(box, {
      id: 'why-events', title: d.title + ': share of clients before and after',
      spec: S.beforeAfter(chartRows, {title: 'Share of clients', dimTitle: d.title,
        legendExpr: "datum.label === 'before' ? 'Before (" + ev.before + ")' : 'After (" +
                    ev.after + ")'"}),
      csv: {columns: ['event_date', 'before_period', 'after_period', 'dimension', 'code', 'label',
                      'clients_before', 'share_before', 'clients_after', 'share_after'],
            rows: rows.map(function (r) {
              return [ev.date, ev.before, ev.after, d.name, r.code, r.label,
                      r.before.row.clients, r.before.share.est, r.after.row.clients,
                      r.after.share.est];
            })},
      table: table(null, [d.title, 'Before: ' + ev.before, 'After: ' + ev.after, 'Clients before',
                          'Clients after'],
        rows.map(function (r) {
          return [r.label, shareCell(r.before.share), shareCell(r.after.share),
                  numCell(r.before.row.clients), numCell(r.after.row.clients)];
        }), {className: 'stack'}),
      tableOpen: true
    });
  }

  /* ---- workloads and complexity ---- */

  var NEED_BANDS = [['needs_0', 'No need stated'], ['needs_1', 'One need'],
                    ['needs_2', 'Two needs'], ['needs_3_plus', A.complex_needs + ' or more needs']];

  function renderComplexity() {
    var rows = periods.map(function (p) { return complexity[p]; }).filter(Boolean);
    note('complexity-note', 'Visits per client and the clients with ' + A.complex_needs +
      ' or more different needs in the quarter (need codes after mapping, not stated left ' +
      'out), from the mapped events.' + (A.outside_events ? ' ' + W.num(A.outside_events) +
      ' events fall outside the quarters of this report and are not counted here.' : ''));
    figure(clear('complexity-trend-box'), {
      id: 'complexity-trend', title: 'Clients with ' + A.complex_needs +
        ' or more needs, share of clients each quarter',
      spec: S.trend(rows.map(function (r) {
        var s = pct(r.needs_3_plus, r.clients);
        return Object.assign({period: r.period, tip: pctText(s) + ' (' + W.num(r.needs_3_plus) +
                              ')'}, s);
      }), {title: 'Share of clients', unit: '%', periods: periods, events: EVENTS, height: 180}),
      events: EVENTS, onCompare: compareEvent,
      csv: complexityCsv(rows)
    });
    var p = state.period, r = complexity[p];
    figure(clear('needs-bars-box'), {
      id: 'needs-bars', title: 'Clients by how many needs they had, ' + p,
      spec: S.bars(NEED_BANDS.map(function (b) {
        var n = r ? r[b[0]] : 0;
        return Object.assign({label: b[1], tip: W.num(n) + ' (' +
                              pctText(pct(n, r ? r.clients : 0)) + ')'}, exact(n));
      }), {title: 'Clients', dimTitle: 'Needs'}),
      csv: complexityCsv(r ? [r] : [])
    });
    put('complexity-table-box', table('Workload and complexity each quarter',
      ['Quarter', 'Clients', 'Visits', 'Visits per client'].concat(NEED_BANDS.map(function (b) {
        return b[1];
      }), ['Share with ' + A.complex_needs + '+ needs']),
      rows.concat(complexity['*'] ? [complexity['*']] : []).map(function (x) {
        return [x.period === '*' ? 'All quarters' : x.period, numCell(x.clients),
                numCell(x.events), numCell(ratio(x.events, x.clients), 'ratio')]
          .concat(NEED_BANDS.map(function (b) { return numCell(x[b[0]]); }),
                  [shareCell(pct(x.needs_3_plus, x.clients))]);
      }), {className: 'stack'}));
  }
  function complexityCsv(rows) {
    return {columns: ['period', 'clients', 'events', 'visits_per_client'].concat(
              NEED_BANDS.map(function (b) { return b[0]; }), ['share_3_plus']),
            rows: rows.map(function (r) {
              return [r.period, r.clients, r.events, ratio(r.events, r.clients)].concat(
                NEED_BANDS.map(function (b) { return r[b[0]]; }),
                [(pct(r.needs_3_plus, r.clients) || {}).est]);
            })};
  }

  function renderWorkers() {
    var controls = document.getElementById('workers-controls');
    if (!workers) {
      controls.hidden = true;
      note('workers-note', 'Our profile maps no worker, team or site column, so there is no ' +
        'breakdown by worker. To see one, name that column in the profile ("worker": "Case ' +
        'Worker" under "columns"): normalise then writes it to an internal side file beside ' +
        'the events, never into the events or the release.');
      clear('workers-box');
      return;
    }
    var options = periods.map(function (p) { return [p, p]; }).reverse()
      .concat([['*', 'All quarters']]);
    fillSelect('workers-period-select', options, state.workersPeriod,
               function (v) { state.workersPeriod = v; renderWorkers(); });
    var p = state.workersPeriod;
    var rows = workers.filter(function (w) { return w.period === p; });
    note('workers-note', 'From the profile\'s column ' + (A.workers.column || 'worker') + ', ' +
      'joined with the events by client and date. A client seen by two workers counts for ' +
      'each. "Not stated": visits with no worker recorded.');
    figure(clear('workers-box'), {
      id: 'workers', title: 'Clients by worker, ' + quarterName(p),
      spec: S.bars(rows.map(function (w) {
        return Object.assign({label: w.worker === null ? 'Not stated' : w.worker,
                              tip: W.num(w.clients)}, exact(w.clients));
      }), {title: 'Clients', dimTitle: 'Worker'}),
      csv: {columns: ['period', 'worker', 'clients', 'events', 'visits_per_client',
                      'clients_3_plus_needs', 'share_3_plus'],
            rows: rows.map(function (w) {
              return [w.period, w.worker, w.clients, w.events, ratio(w.events, w.clients),
                      w.clients_3_plus_needs, (pct(w.clients_3_plus_needs, w.clients) || {}).est];
            })},
      table: table('Workloads by worker, ' + quarterName(p),
        ['Worker', 'Clients', 'Visits', 'Visits per client', 'Clients with ' +
         A.complex_needs + '+ needs', 'Share'],
        rows.map(function (w) {
          return [w.worker === null ? 'Not stated' : w.worker, numCell(w.clients),
                  numCell(w.events), numCell(ratio(w.events, w.clients), 'ratio'),
                  numCell(w.clients_3_plus_needs), shareCell(pct(w.clients_3_plus_needs,
                                                                 w.clients))];
        }), {className: 'stack'}),
      tableOpen: true
    });
  }

  /* ---- how we compare ---- */

  /* the latest quarter up to the chosen one with national figures */
  function comparisonQuarter() {
    var ps = periods.filter(function (p) { return p <= state.period && F.cell(p, '*'); });
    return ps.length ? ps[ps.length - 1] : null;
  }

  function renderComparison() {
    var q = N && comparisonQuarter();
    if (!q) {
      document.getElementById('comparison-controls').hidden = true;
      note('comparison-note', N ? 'The national figures (' + N.file + ') hold none of our ' +
        'quarters up to ' + state.period + ', so there is nothing to compare with.' :
        'No national build is available to this report, so there is nothing to compare ' +
        'with yet. When NZCCSS\'s merged figures are there (out/national/merged.csv after ' +
        '"make national", or the data annex\'s merged.csv given as AGENCY_VIEW_NATIONAL), ' +
        'the next build sets our shares beside the regional and national ones.');
      clear('comparison-box');
      return;
    }
    document.getElementById('comparison-controls').hidden = false;
    fillSelect('cmp-dim-select', dims.slice(1).map(function (d) { return [d.name, d.title]; }),
               state.cmpDim, function (v) { state.cmpDim = v; renderComparison(); });
    fillSelect('cmp-region-select', [['*', 'All our regions, against New Zealand']].concat(
      N.regions.map(function (r) { return [r, REGION.label[r] || r]; })), state.cmpRegion,
      function (v) { state.cmpRegion = v; renderComparison(); });
    note('comparison-note', 'Shares of clients in ' + q + '. Ours are exact; the regional and ' +
      'national shares are the published figures of all member agencies (us included), each ' +
      'with the range their protection leaves. Only shares are set side by side, never our ' +
      'exact counts beside published ones. ' + (q !== state.period ? 'The national figures ' +
      'go up to ' + q + '.' : ''));
    drawComparison(q, dimByName[state.cmpDim], state.cmpRegion);
  }

  function comparisonRows(q, d, region) {
    var ownTotal = cell(q, region), natTotal = F.cell(q, '*'), regTotal = F.cell(q, region);
    return d.codes.map(function (c) {
      var own = cell(q, region, d.name, c[0]), nat = F.cell(q, '*', d.name, c[0]);
      var reg = region === '*' ? null : F.cell(q, region, d.name, c[0]);
      if (!own || !nat || !ownTotal) return null;
      return {code: c[0], label: c[1], own: pct(own.clients, ownTotal.clients),
              nz: F.share(F.fig(nat, 'clients'), F.fig(natTotal, 'clients')),
              region: reg && regTotal ? F.share(F.fig(reg, 'clients'), F.fig(regTotal, 'clients'))
                : null};
    }).filter(Boolean);
  }

  function drawComparison(q, d, region) {
    var rows = comparisonRows(q, d, region), series = ['own', 'nz'];
    var names = {own: 'Us' + (region === '*' ? '' : ' in ' + regionName(region)),
                 region: regionName(region) + ' (all agencies)', nz: 'New Zealand (all agencies)'};
    if (region !== '*') series = ['own', 'region', 'nz'];
    var chart = [];
    rows.forEach(function (r) {
      series.forEach(function (s) {
        if (r[s]) chart.push(Object.assign({label: r.label, when: s,
          tip: s === 'own' ? pctText(r[s]) : W.figure(r[s], '%').text}, r[s]));
      });
    });
    var colours = {own: S.PALETTE.main, region: S.PALETTE.event, nz: S.PALETTE.panel};
    var figCols = function (n) { return [n, n + '_low', n + '_high', n + '_shown']; };
    var figVals = function (f) { return f ? [f.est, f.low, f.high, f.shown] : [null, null, null, null]; };
    figure(clear('comparison-box'), {
      id: 'comparison', title: d.title + ': our share of clients beside ' +
        (region === '*' ? 'New Zealand' : regionName(region) + ' and New Zealand') + ', ' + q,
      spec: S.beforeAfter(chart, {title: 'Share of clients', dimTitle: d.title, series: series,
        colours: series.map(function (s) { return colours[s]; }),
        legendExpr: series.map(function (s) {
          return "datum.label === '" + s + "' ? '" + names[s].replace(/'/g, '\u2019') + "' : ";
        }).join('') + 'datum.label'}),
      csv: {columns: ['period', 'region', 'dimension', 'code', 'label', 'share_own']
              .concat(figCols('share_region'), figCols('share_nz')),
            rows: rows.map(function (r) {
              return [q, region, d.name, r.code, r.label, r.own.est].concat(
                figVals(r.region), figVals(r.nz));
            })},
      table: table(null, [d.title, names.own].concat(region === '*' ? [] : [names.region],
                                                     [names.nz, 'We are']),
        rows.map(function (r) {
          var side = r.own.est > r.nz.high ? 'higher' : r.own.est < r.nz.low ? 'lower' :
            'within the national range';
          return [r.label, shareCell(r.own)].concat(region === '*' ? [] :
            [r.region ? C.figureCell(r.region, '%') : el('td', {}, '')],
            [C.figureCell(r.nz, '%'), side]);
        }), {className: 'stack'}),
      tableOpen: true
    });
  }

  /* ---- data quality ---- */

  var stages = A.quality.stages.map(function (s) {
    return {file: s.file, stats: s.stats, name: s.stats.program +
            (s.stats.step ? ' ' + s.stats.step : '')};
  });
  function stageOf(program) {
    return stages.filter(function (s) { return s.stats.program === program; })[0] || null;
  }
  var WORDS = {
    trailer: 'footer line (e.g. "Total records")', wrong_field_count: 'wrong number of fields',
    missing_client_id: 'no client id', missing_event_date: 'no visit date',
    invalid_event_date: 'visit date not a real date', invalid_units: 'units not a number',
    outside_period: 'outside the quarters built', future: 'dated after the export was taken',
    birth_date_in_future: 'birth date in the future', placeholder_birth_date:
      'placeholder birth date (e.g. 1900-01-01)', age_over_120: 'age over 120',
    invalid_birth_date: 'birth date not a real date', invalid_age: 'age not a number',
    bar_in_value: 'a "|" inside a value', age_not_stated: 'no age (no birth date or age)',
    units_missing: 'units not recorded (e.g. N/A)', region_outside_area:
      'region outside our declared regions'
  };
  function words(key) {
    var m = /^(empty|unmapped)_(.*)$/.exec(key), d = m && dimByName[m[2]];
    if (d) return d.title + (m[1] === 'empty' ? ': empty' : ': value not in the map');
    return WORDS[key] || key.replace(/_/g, ' ');
  }
  var MAX_LINES = 5;   /* as agency-view: the first lines listed per reason */
  function slug(s) { return String(s).toLowerCase().replace(/[^a-z0-9]+/g, '_'); }
  /* the lines of a reason from the stage's rejects file: rejects.csv is
   * normalise's, NAME-rejects.csv the stage of NAME-stats.json */
  function rejectedLines(stage, reason) {
    var prefix = stage.file.replace(/-stats\.json$/, '');
    var files = A.quality.rejects.filter(function (f) {
      return f.file === prefix + '-rejects.csv' ||
        (f.file === 'rejects.csv' && stage.stats.program === 'normalise');
    });
    /* a reason in a rejects file may say more after a colon ("invalid
     * event date: day 31 does not exist in February"): its lines count
     * under the stage's reason all the same */
    var lines = [], rows = 0;
    files.forEach(function (f) {
      f.reasons.forEach(function (r) {
        if (slug(String(r.reason).split(':')[0]) === slug(reason)) {
          lines = lines.concat(r.lines);
          rows += r.rows;
        }
      });
    });
    if (!rows) return null;
    lines.sort(function (a, b) { return a - b; });
    return {lines: lines.slice(0, MAX_LINES), rows: rows};
  }

  function renderAccounting() {
    put('accounting-box', table('Row accounting of each stage', ['Stage', 'File', 'Rows read',
      'Written or counted', 'Rejected', 'Held back', 'Carried'],
      stages.map(function (s) {
        var st = s.stats, written = st.rows_written !== undefined ? st.rows_written :
          st.rows_counted;
        var tr = [s.name, s.file, numCell(st.rows_read), numCell(written),
                  numCell(st.rows_rejected), numCell(st.rows_held_back),
                  numCell(st.rows_carried)];
        return tr;
      }), {className: 'stack'}));
  }

  function rejectedRows() {
    var rows = [];
    stages.forEach(function (s) {
      Object.keys(s.stats.rejected || {}).sort().forEach(function (k) {
        var n = s.stats.rejected[k];
        if (typeof n === 'number' && n > 0)
          rows.push({stage: s, key: k, rows: n, lines: rejectedLines(s, k)});
      });
    });
    return rows;
  }

  function renderRejected() {
    var rows = rejectedRows(), box = clear('rejected-box');
    if (!rows.length) {
      box.appendChild(el('p', {'class': 'ok-note', id: 'rejected-none'},
                         'No row was rejected at any stage.'));
      return;
    }
    box.appendChild(table('Rows rejected, by stage and reason', ['Stage', 'Reason', 'Rows',
                                                                  'First lines of the export'],
      rows.map(function (r) {
        return [r.stage.name, words(r.key), numCell(r.rows),
                el('td', {'class': 'lines'}, r.lines ? r.lines.lines.join(', ') +
                   (r.lines.rows > r.lines.lines.length ? ', ...' : '') : '')];
      }), {className: 'stack'}));
  }

  function warningRows() {
    var rows = [];
    stages.forEach(function (s) {
      Object.keys(s.stats.warnings || {}).sort().forEach(function (k) {
        var n = s.stats.warnings[k];
        if (typeof n === 'number' && n > 0) rows.push({stage: s, key: k, rows: n});
      });
    });
    return rows;
  }

  function renderWarnings() {
    var norm = stageOf('normalise'), w = norm ? norm.stats.warnings || {} : {};
    var p = document.getElementById('birth-dates');
    p.textContent = '';
    if (norm) {
      p.appendChild(document.createTextNode('Birth dates: '));
      p.appendChild(figData(w.placeholder_birth_date || 0, 'placeholder_birth_date'));
      p.appendChild(document.createTextNode(' rows with a placeholder birth date (such as ' +
        '1900-01-01) and '));
      p.appendChild(figData(w.birth_date_in_future || 0, 'birth_date_in_future'));
      p.appendChild(document.createTextNode(' with a birth date in the future; their ages are ' +
        'left empty (counted as age not stated).'));
    } else p.textContent = 'Birth dates: normalise\'s statistics are not in this report.';
    var rows = warningRows();
    put('warnings-box', rows.length ? table('Warnings, by stage', ['Stage', 'Warning', 'Rows'],
      rows.map(function (r) { return [r.stage.name, words(r.key), numCell(r.rows)]; }),
      {className: 'stack'}) : el('p', {'class': 'ok-note'}, 'No warnings.'));
  }

  function renderUnmapped() {
    var u = A.quality.unmapped;
    if (!u || !u.rows.length) {
      put('unmapped-box', el('p', {'class': 'ok-note', id: 'unmapped-none'}, u ?
        'Every value was mapped and none was empty.' : 'No list of unmapped values.'));
      return;
    }
    put('unmapped-box', table('Values not mapped to a national code (counted as not stated)',
      ['Field', 'Value', 'Rows', 'What it means'],
      objects(u).map(function (r) {
        var d = dimByName[r.field];
        return [d ? d.title : r.field, r.value === '' ? '(empty)' : r.value, numCell(r.count),
                r.value === '' ? 'not recorded in the CMS' : 'not in map.json'];
      }), {className: 'stack'}));
  }

  /* the share of clients with a dimension not stated: its not-stated
   * code's cell; where a single-valued dimension has none (a region
   * outside our coverage is no cell), the clients in none of its cells */
  function notStated(d, p) {
    var t = cell(p, '*');
    if (!t) return null;
    var r = groupCell(p, '*', d, d.notStated);
    if (r) return {clients: r.clients, share: pct(r.clients, t.clients), how: 'code'};
    if (d.multi) return null;
    var sum = 0;
    d.codes.forEach(function (c) {
      var x = groupCell(p, '*', d, c[0]);
      sum += x ? x.clients : 0;
    });
    return {clients: t.clients - sum, share: pct(t.clients - sum, t.clients), how: 'rest'};
  }

  function renderNotStated() {
    var p = state.period;
    var rows = fields.map(function (d) { return {d: d, f: notStated(d, p)}; })
      .filter(function (r) { return r.f; });
    figure(clear('not-stated-box'), {
      id: 'not-stated', title: 'Clients with each field not stated, share of clients, ' + p,
      spec: S.bars(rows.map(function (r) {
        return Object.assign({label: r.d.title, tip: pctText(r.f.share) + ' (' +
                              W.num(r.f.clients) + ')'}, r.f.share);
      }), {title: 'Share of clients', unit: '%', dimTitle: 'Field'}),
      csv: {columns: ['period', 'dimension', 'clients_not_stated', 'share'],
            rows: periods.reduce(function (out, q) {
              fields.forEach(function (d) {
                var f = notStated(d, q);
                if (f) out.push([q, d.name, f.clients, f.share.est]);
              });
              return out;
            }, [])}
    });
    put('not-stated-table-box', table('Share of clients with each field not stated, each ' +
      'quarter', ['Field'].concat(periods), fields.map(function (d) {
        var head = d.title + (notStated(d, p) && notStated(d, p).how === 'rest' ?
          ' (not stated or outside our regions)' : '');
        return [head].concat(periods.map(function (q) {
          var f = notStated(d, q);
          return f ? shareCell(f.share) : el('td', {}, '');
        }));
      })));
  }

  /* late entries: the stage whose statistics count them by quarter
   * ("late": {"2025Q1": 3}, freeze's), with its released quarters */
  function lateStage() {
    return stages.filter(function (s) {
      return s.stats.late && typeof s.stats.late === 'object';
    })[0] || null;
  }
  function renderLate() {
    var s = lateStage(), box = clear('late-box');
    var released = s && s.stats.plan ? s.stats.plan.released : null;
    if (!s || !released) {
      box.appendChild(el('p', {'class': 'ok-note', id: 'late-none'}, 'No released quarter yet: ' +
        (s ? 'this is our first release, so no event can be late.' : 'this build keeps no ' +
        'record of released quarters, so late entries are not counted.')));
      return;
    }
    var qs = Object.keys(s.stats.late).concat(Object.keys(s.stats.withdrawn || {}))
      .filter(function (q, i, a) { return a.indexOf(q) === i; }).sort();
    box.appendChild(el('p', {'class': 'note'}, 'Quarters released before this build: ' +
      released.first + ' to ' + released.last + '. An event of a released quarter that was ' +
      'not in it when it was released is late: it is in no release. Withdrawn: events ' +
      'released then that the export no longer holds (the release keeps them).'));
    box.appendChild(table('Late and withdrawn events by quarter', ['Quarter', 'Late', 'Withdrawn'],
      qs.map(function (q) {
        return [q, numCell(s.stats.late[q] || 0),
                numCell(s.stats.withdrawn ? s.stats.withdrawn[q] || 0 : null)];
      }), {className: 'stack'}));
  }

  /* ---- what to fix, from the figures above ---- */

  var ADVICE = {
    missing_event_date: 'enter the date of each visit', invalid_event_date:
      'correct the visit dates (they are not real dates)', missing_client_id:
      'every visit needs the client\'s id', wrong_field_count: 'these rows are broken in the ' +
      'export (a line break or delimiter inside a field?): check the CMS\'s export settings',
    invalid_units: 'correct the number of units given', future: 'correct the visit dates: ' +
      'they are after the date the export was taken'
  };
  /* the rows map-categories read: what empty values are a share of */
  function rowsMapped() {
    var s = stageOf('map-categories');
    return s ? s.stats.rows_read : 0;
  }
  function fixItem(list, kind, where, text) {
    var li = el('li', {'data-kind': kind});
    li.appendChild(el('span', {'class': 'where'}, where + ': '));
    li.appendChild(document.createTextNode(text));
    list.appendChild(li);
  }
  function renderFixes() {
    var list = clear('fix-list'), p = state.period;
    rejectedRows().forEach(function (r) {
      if (r.key === 'trailer' || r.key === 'outside_period') return;
      fixItem(list, 'rejected', 'In the CMS', W.num(r.rows) + ' row' + (r.rows === 1 ? '' : 's') +
        ' rejected (' + words(r.key) + (r.lines ? ', export line' + (r.lines.lines.length > 1 ?
        's ' : ' ') + r.lines.lines.join(', ') : '') + '): ' + (ADVICE[r.key] ||
        'fix these rows in the CMS') + '.');
    });
    var w = (stageOf('normalise') || {stats: {}}).stats.warnings || {};
    if (w.placeholder_birth_date)
      fixItem(list, 'birth', 'In the CMS', W.num(w.placeholder_birth_date) + ' rows carry a ' +
        'placeholder birth date such as 1900-01-01: record the real date or leave it empty.');
    if (w.birth_date_in_future)
      fixItem(list, 'birth', 'In the CMS', W.num(w.birth_date_in_future) + ' rows have a birth ' +
        'date in the future: correct them.');
    var u = A.quality.unmapped ? objects(A.quality.unmapped) : [];
    fields.forEach(function (d) {
      var vals = u.filter(function (r) { return r.field === d.name && r.value !== ''; });
      if (vals.length)
        fixItem(list, 'map', 'In map.json', 'add ' + vals.length + ' value' +
          (vals.length === 1 ? '' : 's') + ' of ' + d.title.toLowerCase() + ' under "' + d.name +
          '" (or correct their spelling in the CMS): ' + vals.map(function (r) {
            return '"' + r.value + '" (' + W.num(r.count) + ' row' + (r.count === 1 ? '' : 's') +
              ')';
          }).join(', ') + '.');
      var empty = u.filter(function (r) { return r.field === d.name && r.value === ''; })[0];
      if (empty && rowsMapped())
        fixItem(list, 'empty', 'In the CMS', d.title + ' was left empty on ' +
          W.num(empty.count) + ' row' + (empty.count === 1 ? '' : 's') + ' (' +
          pctText(pct(empty.count, rowsMapped())) + ' of the rows): record it, or "not stated" ' +
          'where the client did not say.');
      var f = notStated(d, p);
      if (f && f.share && f.share.est >= FEW)
        fixItem(list, 'not-stated', 'In the CMS', d.title + ' is not stated for ' +
          pctText(f.share) + ' of our clients in ' + p + ' (' + W.num(f.clients) + '): make it ' +
          'a field staff fill in' + (f.how === 'rest' ? ', or check the profile\'s regions' : '') +
          '.');
    });
    var s = lateStage(), late = 0;
    if (s) Object.keys(s.stats.late).forEach(function (q) { late += s.stats.late[q]; });
    if (late)
      fixItem(list, 'late', 'In the CMS', W.num(late) + ' events were entered in quarters ' +
        'already released (' + Object.keys(s.stats.late).filter(function (q) {
          return s.stats.late[q];
        }).join(', ') + '): they are in no release; enter visits before a quarter is released.');
    var none = workers ? workers.filter(function (x) {
      return x.period === p && x.worker === null;
    })[0] : null;
    if (none)
      fixItem(list, 'worker', 'In the CMS', W.num(none.events) + ' visits in ' + p + ' have no ' +
        'worker recorded.');
    if (!list.children.length)
      list.appendChild(el('li', {'data-kind': 'none'}, 'Nothing to fix: no rejected rows, ' +
        'unmapped values, doubtful birth dates or fields left mostly empty.'));
  }

  /* ---- our outcomes (issue 23): exact, ours alone ---- */

  var BANDS = [['improved', 'Improved'], ['same', 'About the same'], ['worse', 'Worse'],
               ['unpaired', 'Assessed once'], ['not_assessed', 'Not assessed']];
  function outcomeRows(p) {
    if (!OUTCOME) return [];
    var doms = [];
    OUTCOME.codes.forEach(function (c) {
      var dom = c[0].split(':')[0];
      if (doms.indexOf(dom) < 0) doms.push(dom);
    });
    return doms.map(function (dom) {
      var n = {}, ok = BANDS.every(function (b) {
        var x = cell(p, '*', 'outcome', dom + ':' + b[0]);
        n[b[0]] = x ? x.clients : 0;
        return !!x;
      });
      if (!ok) return null;
      var pairs = n.improved + n.same + n.worse, seen = pairs + n.unpaired + n.not_assessed;
      return {domain: dom, label: String(OUTCOME.label[dom + ':improved']).split(':')[0],
              n: n, improved: pct(n.improved, pairs), assessed: pct(seen - n.not_assessed, seen)};
    }).filter(Boolean);
  }
  function renderOutcomes() {
    var p = state.period, rows = outcomeRows(p), box = clear('outcomes-box');
    if (!rows.length) {
      note('outcomes-note', 'No outcome figures for ' + p + ': the profile records no ' +
        'assessments (see the profile\'s "assessments").');
      return;
    }
    note('outcomes-note', 'Our clients seen in ' + p + ', by outcome domain: the first ' +
      'assessment of each client\'s episode against the latest, four weeks or more apart. ' +
      'Exact, and ours alone: outcomes are never set beside other agencies\' (other tools, ' +
      'other practice).');
    box.appendChild(table('Our outcomes by domain, ' + p,
      ['Domain'].concat(BANDS.map(function (b) { return b[1]; }),
                        ['Improved (% of pairs)', 'Assessed (% of clients)']),
      rows.map(function (r) {
        return [r.label].concat(BANDS.map(function (b) { return numCell(r.n[b[0]]); }),
                                [shareCell(r.improved), shareCell(r.assessed)]);
      }), {className: 'stack'}));
  }

  /* ---- the page ---- */

  function renderQuarter() {
    renderOutcomes();
    renderWhoSummary();
    renderWhoBars();
    renderWhyBars();
    renderComplexity();
    renderComparison();
    renderNotStated();
    renderFixes();
  }

  function setup() {
    document.title = MARK + '. ' + NAME + ': our own view';
    document.getElementById('agency-name').textContent = NAME;
    note('marking-text', 'Exact counts of ' + NAME + '\'s own records. This page stays on the ' +
      'agency\'s machine; nothing in it is sent to NZCCSS.');
    note('data-note', 'Quarters ' + periods[0] + ' to ' + periods[periods.length - 1] + ' (' +
      periods.length + '), agency code ' + A.agency + '.');
    note('foot-note', NAME + ': exact counts from the internal files of its own build; ' +
      'nothing here is sent.');
    fillSelect('period-select', periods.slice().reverse().map(function (p) { return [p, p]; }),
      state.period, function (v) { state.period = v; renderQuarter(); });
    fillSelect('who-measure-select', measures.map(function (m) { return [m.name, m.title]; }),
      state.whoMeasure, function (v) { state.whoMeasure = v; renderWhoTrend(); });
    fillSelect('who-dim-select', whoDims.map(function (d) { return [d.name, d.title]; }),
      state.whoDim, function (v) { state.whoDim = v; renderWhoBars(); });
    fillSelect('why-dim-select', (whyDims.length ? whyDims : dims.slice(1)).map(function (d) {
      return [d.name, d.title];
    }), state.whyDim, function (v) { state.whyDim = v; state.whyCode = null; renderWhyBars(); });
  }

  setup();
  renderWhoTrend();
  renderQuarter();
  renderWorkers();
  renderAccounting();
  renderRejected();
  renderWarnings();
  renderUnmapped();
  renderLate();
  window.NZ_READY = Promise.all(NZCharts.pending);
})();
