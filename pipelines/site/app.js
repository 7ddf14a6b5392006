/* app.js: the NZCCSS dashboard.  Reads window.NZ_DATA (data.js, written
 * by publish) through figures.js; every dimension, title and label comes
 * from the data, so a new dimension shows up as a breakdown by itself.
 * Only region (the geography) and the quarters are known here. */
(function () {
  'use strict';

  var D = window.NZ_DATA, F = NZFigures.model(D), W = NZWords, C = NZCharts,
      S = NZSpecs, el = C.el;
  var EVENTS = F.events;
  var state = {region: '*', measure: D.measures[0].name, dim: F.breakdowns[0].name,
               code: null, mode: 'count', period: F.latest, event: null, baDim: null};

  function measure(name) {
    return D.measures.filter(function (m) { return m.name === name; })[0];
  }
  function regionName(code) {
    return code === '*' ? 'New Zealand' : F.region.label[code];
  }
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
  function tip(f, unit) {
    var g = W.figure(f, unit);
    return g.kind === 'number' ? g.text + ' (' + g.range + ')' :
      g.kind === 'S' ? 'S (fewer than 6)' : g.text;
  }
  /* CSV columns of a figure: name, name_low, name_high, name_shown */
  function figCols(name) {
    return [name, name + '_low', name + '_high', name + '_shown'];
  }
  function figVals(f) {
    return f ? [f.est, f.low, f.high, f.shown] : [null, null, null, null];
  }

  /* ---- the headline: what changed in the latest complete quarter ---- */

  function renderHeadline() {
    var q = F.quarter(F.latest), list = clear('headline');
    document.getElementById('latest-name').textContent = q.long + ' (' + q.short + ')' +
      (state.region === '*' ? '' : ', ' + regionName(state.region));
    var row = F.cell(F.latest, state.region);
    D.measures.forEach(function (m) {
      var li = el('li', {'data-measure': m.name});
      var yoy = F.change(F.changeRow('yoy', F.latest, state.region), m.name);
      var qoq = F.change(F.changeRow('qoq', F.latest, state.region), m.name);
      li.textContent = W.headline(m.title, F.fig(row, m.name), yoy, qoq, q.long);
      list.appendChild(li);
    });
    var cov = F.coverageOf(F.latest), last = F.coverage[F.coverage.length - 1];
    var note = cov ? cov.agencies + ' agencies reported the ' + q.long + '.' : '';
    if (last && last.period !== F.latest)
      note += ' ' + last.period + ' is not complete yet: ' +
        (last.missing.length ? 'not yet reported by ' + last.missing.join(', ') : '') + '.';
    document.getElementById('coverage-note').textContent = note;
  }

  /* ---- the trend, with the policy events and agencies joining ---- */

  function coverageMarks() {
    return F.coverage.filter(function (c) {
      return c.joined.length || c.missing.length;
    }).map(function (c) {
      return {period: c.period, text: (c.joined.length ? '+' + c.joined.join(', +') : '') +
              (c.missing.length ? ' not yet: ' + c.missing.join(', ') : '')};
    });
  }

  function renderTrend() {
    var m = measure(state.measure), region = state.region;
    var rows = D.periods.map(function (p) { return F.cell(p, region); }).filter(Boolean);
    var lfl = F.likeForLike(region, m.name);
    var data = rows.map(function (r) {
      var f = F.fig(r, m.name);
      return Object.assign({period: r.period, tip: tip(f)}, f);
    });
    var panel = rows.filter(function (r) { return lfl[r.period]; }).map(function (r) {
      return Object.assign({period: r.period, tip: tip(lfl[r.period])}, lfl[r.period]);
    });
    var differs = panel.some(function (p) { return p.est !== F.cell(p.period, region)[m.name]; });
    var title = m.title + ', ' + regionName(region);
    var box = clear('trend-box');
    C.figure(box, {
      id: 'trend', title: title + ', each quarter',
      alt: 'Line chart of ' + title.toLowerCase() + ' each quarter, with its range ' +
           'and the policy events',
      spec: S.trend(data, {title: m.title, periods: D.periods, events: EVENTS,
                           panel: differs ? panel : null, marks: coverageMarks(),
                           height: 200}),
      events: EVENTS, onCompare: compareEvent,
      legend: [['k-line', 'Estimate'], ['k-band', 'Range'],
               ['k-panel', differs ? 'Like for like (agencies of ' + F.latest + ')' : ''],
               ['k-event', 'Policy change']].filter(function (k) { return k[1]; }),
      csv: {columns: ['period', 'region'].concat(figCols(m.name), ['agencies'],
                                                   figCols(m.name + '_lfl')),
            rows: rows.map(function (r) {
              return [r.period, r.region].concat(figVals(F.fig(r, m.name)), [r.agencies],
                                                 figVals(lfl[r.period]));
            })},
      table: C.table(title, ['Quarter', m.title, 'Like for like', 'Agencies'],
        rows.map(function (r) {
          return [r.period, C.figureCell(F.fig(r, m.name)),
                  lfl[r.period] ? C.figureCell(lfl[r.period]) : el('td', {}, ''),
                  String(r.agencies)];
        }))
    });
  }

  /* ---- before and after a policy event ---- */

  function overlap(a, b) { return F.moved(a, b) === 0; }

  /* the breakdown whose shares moved most clearly: most groups whose two
   * ranges do not overlap */
  function liveliestDim(ev) {
    var best = F.breakdowns[0].name, most = -1;
    F.breakdowns.forEach(function (d) {
      var ba = F.beforeAfter(ev, state.region, d.name);
      var n = ba ? ba.rows.filter(function (r) { return !overlap(r.before, r.after); }).length : 0;
      if (n > most) { most = n; best = d.name; }
    });
    return best;
  }

  function compareEvent(ev) {
    state.event = ev.date;
    state.baDim = null;
    renderBeforeAfter();
    document.getElementById('before-after').scrollIntoView();
    document.getElementById('event-select').focus();
  }

  function renderBeforeAfter() {
    var usable = EVENTS.filter(function (e) { return F.beforeAfter(e, state.region, F.breakdowns[0].name); });
    if (!state.event && usable.length) state.event = usable[usable.length - 1].date;
    fillSelect('event-select', EVENTS.map(function (e) {
      return [e.date, W.date(e.date) + ': ' + e.title];
    }), state.event, function (v) { state.event = v; state.baDim = null; renderBeforeAfter(); });
    var ev = EVENTS.filter(function (e) { return e.date === state.event; })[0];
    if (!state.baDim) state.baDim = ev ? liveliestDim(ev) : F.breakdowns[0].name;
    fillSelect('ba-dim-select', F.breakdowns.map(function (d) { return [d.name, d.title]; }),
               state.baDim, function (v) { state.baDim = v; renderBeforeAfter(); });
    var box = clear('ba-box');
    var ba = ev && F.beforeAfter(ev, state.region, state.baDim);
    if (!ba) {
      box.appendChild(el('p', {'class': 'note'}, ev ? 'No comparison: the figures do not ' +
        'cover both ' + ev.before + ' and ' + ev.after + '.' : 'No policy events.'));
      return;
    }
    var d = F.dim(state.baDim), when = {before: ev.before, after: ev.after};
    box.appendChild(el('p', {'class': 'ba-lede'}, W.date(ev.date) + ': ' + ev.title + '. ' +
      d.title + ', share of clients in ' + ev.before + ' (before) and ' + ev.after +
      ' (after), ' + W.agenciesPhrase(ba.total.matched) + ', ' + regionName(state.region) + '.'));
    var rows = [];
    ba.rows.forEach(function (r) {
      ['before', 'after'].forEach(function (w) {
        rows.push(Object.assign({label: r.label, when: w, tip: tip(r[w], '%')}, r[w]));
      });
    });
    C.figure(box, {
      id: 'before-after', title: d.title + ': share of clients before and after',
      spec: S.beforeAfter(rows, {title: 'Share of clients', dimTitle: d.title,
        legendExpr: "datum.label === 'before' ? 'Before (" + ev.before + ")' : 'After (" +
                    ev.after + ")'"}),
      csv: {columns: ['event_date', 'before_period', 'after_period', 'region', d.name, 'label']
              .concat(figCols('share_before'), figCols('share_after'),
                      figCols('clients_before'), figCols('clients_after'),
                      ['agencies_matched']),
            rows: ba.rows.map(function (r) {
              return [ev.date, ev.before, ev.after, state.region, r.code, r.label]
                .concat(figVals(r.before), figVals(r.after), figVals(r.clients.base),
                        figVals(r.clients.now), [ba.total.matched]);
            })},
      table: C.table(null, [d.title, 'Before: ' + when.before, 'After: ' + when.after,
                            'Clients before', 'Clients after', 'Shares'],
        ba.rows.map(function (r) {
          var moved = overlap(r.before, r.after) ? 'ranges overlap' :
            r.after.low > r.before.high ? 'higher after' : 'lower after';
          return [r.label, C.figureCell(r.before, '%'), C.figureCell(r.after, '%'),
                  C.figureCell(r.clients.base), C.figureCell(r.clients.now), moved];
        }), {className: 'stack'}),
      tableOpen: true
    });
  }

  /* ---- breakdowns: one group over time, every group in a quarter ---- */

  function breakdownFig(r, mode) {
    if (!r) return null;
    if (mode === 'share') {
      var total = F.cell(r.period, r.region);
      return total ? F.share(F.fig(r, 'clients'), F.fig(total, 'clients')) : null;
    }
    return F.fig(r, state.measure);
  }

  function renderBreakdowns() {
    var d = F.dim(state.dim);
    if (!state.code || !d.label[state.code]) state.code = d.codes[0][0];
    fillSelect('dim-select', F.breakdowns.map(function (b) { return [b.name, b.title]; }),
               state.dim, function (v) { state.dim = v; state.code = null; renderBreakdowns(); });
    fillSelect('code-select', d.codes, state.code,
               function (v) { state.code = v; renderBreakdowns(); });
    fillSelect('period-select', D.periods.slice().reverse().map(function (p) { return [p, p]; }),
               state.period, function (v) { state.period = v; renderBreakdowns(); });
    var m = measure(state.measure), share = state.mode === 'share';
    var what = share ? 'Share of clients' : m.title, unit = share ? '%' : '';
    document.getElementById('bd-note').textContent = (d.multi ?
      d.title + ' is counted by total response: a person can be in several groups. ' : '') +
      (share ? 'Shares of clients: the range runs from the lowest count over the ' +
               'highest total to the highest count over the lowest total.' : '');
    var rows = D.periods.map(function (p) {
      return F.cell(p, state.region, d.name, state.code);
    }).filter(Boolean);
    var title = d.title + ': ' + d.label[state.code] + ', ' + what.toLowerCase() + ', ' +
      regionName(state.region);
    var box = clear('over-time-box');
    C.figure(box, {
      id: 'over-time', title: title + ', each quarter',
      spec: S.trend(rows.map(function (r) {
        var f = breakdownFig(r, state.mode);
        return Object.assign({period: r.period, tip: tip(f, unit)}, f);
      }), {title: what, unit: unit, periods: D.periods, events: EVENTS, height: 200}),
      events: EVENTS, onCompare: compareEvent,
      legend: [['k-line', 'Estimate'], ['k-band', 'Range'], ['k-event', 'Policy change']],
      csv: groupsCsv(d),
      table: C.table(d.title + ': ' + what.toLowerCase() + ' each quarter',
        [d.title].concat(D.periods), d.codes.map(function (c) {
          return [c[1]].concat(D.periods.map(function (p) {
            var f = breakdownFig(F.cell(p, state.region, d.name, c[0]), state.mode);
            return f ? C.figureCell(f, unit) : el('td', {}, '');
          }));
        }))
    });
    renderBars(d, what, unit);
  }

  /* the CSV of a breakdown: every group and quarter, counts and shares */
  function groupsCsv(d) {
    var cols = ['period', 'region', d.name, 'label'];
    D.measures.forEach(function (m) { cols = cols.concat(figCols(m.name)); });
    var rows = [];
    D.periods.forEach(function (p) {
      d.codes.forEach(function (c) {
        var r = F.cell(p, state.region, d.name, c[0]);
        if (!r) return;
        var row = [p, state.region, c[0], c[1]];
        D.measures.forEach(function (m) { row = row.concat(figVals(F.fig(r, m.name))); });
        rows.push(row.concat(figVals(breakdownFig(r, 'share'))));
      });
    });
    return {columns: cols.concat(figCols('share')), rows: rows};
  }

  /* the phone's titles of the change columns, which the desktop groups */
  function CHANGE_LABELS(lead) {
    return lead.concat(['Change on the quarter before', '% on the quarter before',
                        'Verdict', 'Change on a year before', '% on a year before', 'Verdict']);
  }

  function changeCells(r, m) {
    var ch = r ? F.change(r, m) : null;
    if (!ch) return [el('td', {}, ''), el('td', {}, ''), el('td', {}, '')];
    return [el('td', {'class': 'num'}, W.changeText(ch)),
            el('td', {'class': 'num'}, W.pctText(ch.pct)),
            el('td', {}, ch.beyond ? 'beyond rounding' : 'could be rounding')];
  }

  function renderBars(d, what, unit) {
    var p = state.period, m = state.measure;
    var rows = d.codes.map(function (c) {
      var r = F.cell(p, state.region, d.name, c[0]);
      return r ? {code: c[0], label: c[1], row: r, f: breakdownFig(r, state.mode)} : null;
    }).filter(Boolean);
    var box = clear('bars-box');
    var csv = groupsCsv(d);
    csv.rows = csv.rows.filter(function (r) { return r[0] === p; });
    C.figure(box, {
      id: 'bars', title: d.title + ': ' + what.toLowerCase() + ', ' + regionName(state.region) +
        ', ' + p,
      spec: S.bars(rows.map(function (r) {
        return Object.assign({label: r.label, tip: tip(r.f, unit)}, r.f);
      }), {title: what, unit: unit, dimTitle: d.title}),
      csv: csv,
      table: C.table(d.title + ', ' + p + ', with the changes in ' + measure(m).title.toLowerCase(),
        [d.title, measure(m).title, 'Share of clients', 'On the quarter before', '%',
         'Verdict', 'On a year before', '%', 'Verdict'],
        rows.map(function (r) {
          return [r.label, C.figureCell(F.fig(r.row, m)),
                  C.figureCell(breakdownFig(r.row, 'share'), '%')]
            .concat(changeCells(F.changeRow('qoq', p, state.region, d.name, r.code), m),
                    changeCells(F.changeRow('yoy', p, state.region, d.name, r.code), m));
        }), {className: 'stack', labels: CHANGE_LABELS([d.title, measure(m).title,
                                                        'Share of clients'])}),
      tableOpen: true
    });
  }

  /* ---- the change tables of the totals ---- */

  function renderChanges() {
    var m = measure(state.measure), box = clear('changes-box');
    [['qoq', 'On the quarter before'], ['yoy', 'On the same quarter a year before']]
      .forEach(function (k) {
        var rows = D.periods.slice().reverse().map(function (p) {
          return F.changeRow(k[0], p, state.region);
        }).filter(Boolean);
        box.appendChild(el('h3', {}, k[1]));
        if (!rows.length) {
          box.appendChild(el('p', {'class': 'note'}, 'No comparison is possible yet.'));
          return;
        }
        var wrap = el('div', {'class': 'table-wrap'});
        wrap.appendChild(C.table(k[1] + ': ' + m.title + ', ' + regionName(state.region),
          ['Quarter', 'Before', 'After', 'Change', '%', 'Range of %', 'Verdict',
           'Agencies compared', 'Policy events between (numbers as on the charts)'],
          rows.map(function (r) {
            var ch = F.change(r, m.name), who = [];
            if (r.agencies_joined.length) who.push('joined: ' + r.agencies_joined.join(', '));
            if (r.agencies_left.length) who.push('left: ' + r.agencies_left.join(', '));
            return [r.period + ' on ' + r.base_period, C.figureCell(ch.base),
                    C.figureCell(ch.now), el('td', {'class': 'num'}, W.changeText(ch)),
                    el('td', {'class': 'num'}, W.pctText(ch.pct)),
                    el('td', {'class': 'num'}, ch.pct ? W.range(ch.pct, '%', true) : ''),
                    ch.beyond ? 'beyond rounding' : 'could be rounding',
                    String(r.agencies_matched) + (who.length ? ' (' + who.join('; ') + ')' : ''),
                    eventNumbers(r.policy_events)];
          }), {className: 'stack'}));
        box.appendChild(wrap);
      });
  }

  /* the events between two quarters by their numbers on the charts */
  function eventNumbers(titles) {
    var td = el('td');
    if (!titles.length) td.textContent = 'none';
    titles.forEach(function (t, i) {
      var e = EVENTS.filter(function (ev) { return ev.title.replace(/\|/g, '/') === t; })[0];
      if (i) td.appendChild(document.createTextNode(', '));
      td.appendChild(e ? el('abbr', {title: W.date(e.date) + ': ' + t}, String(e.n)) :
                     document.createTextNode(t));
    });
    return td;
  }

  /* ---- regions ---- */

  function renderRegions() {
    var m = measure(state.measure), p = F.latest;
    var rows = F.region.codes.map(function (c) {
      var r = F.cell(p, c[0]);
      return r ? {code: c[0], label: c[1], row: r, f: F.fig(r, m.name)} : null;
    }).filter(Boolean);
    C.figure(clear('regions-box'), {
      id: 'regions', title: m.title + ' by region, ' + p,
      spec: S.bars(rows.map(function (r) {
        return Object.assign({label: r.label, tip: tip(r.f)}, r.f);
      }), {title: m.title, dimTitle: 'Region'}),
      csv: {columns: ['period', 'region', 'label'].concat(figCols(m.name), ['agencies']),
            rows: rows.map(function (r) {
              return [p, r.code, r.label].concat(figVals(r.f), [r.row.agencies]);
            })},
      table: C.table(m.title + ' by region, ' + p + ', with the changes',
        ['Region', m.title, 'On the quarter before', '%', 'Verdict', 'On a year before', '%',
         'Verdict'],
        rows.map(function (r) {
          return [r.label, C.figureCell(r.f)]
            .concat(changeCells(F.changeRow('qoq', p, r.code), m.name),
                    changeCells(F.changeRow('yoy', p, r.code), m.name));
        }), {className: 'stack', labels: CHANGE_LABELS(['Region', m.title])}),
      tableOpen: true
    });
  }

  /* ---- outcomes: what difference services made (issue 23) ---- */

  function renderOutcomes() {
    var p = F.latest, rows = F.outcomes(p, state.region), box = clear('outcomes-box');
    var note = document.getElementById('outcomes-note');
    if (!rows) {
      note.textContent = 'No agency that records assessments reported the ' +
        F.quarter(p).long + (state.region === '*' ? '' : ' in ' + regionName(state.region)) + '.';
      return;
    }
    if (rows[0].withheld) {
      note.textContent = 'Only one agency that records assessments serves ' +
        (state.region === '*' ? 'the country' : regionName(state.region)) + ': its figures ' +
        'would be that agency\'s outcomes, and agencies are never compared with each ' +
        'other, so outcomes are shown only where two or more agencies are pooled.';
      return;
    }
    var n = rows[0].agencies;
    note.textContent = 'Of the clients of the ' + n +
      (n === 1 ? ' agency that records' : ' agencies that record') +
      ' assessments (each with its own tool and scale), ' + F.quarter(p).long +
      ': each client\'s first assessment of the episode against the latest, four weeks or ' +
      'more apart. Agencies are never compared with each other.';
    C.figure(box, {
      id: 'outcomes', title: 'Share of clients who improved, by domain, ' + p,
      spec: S.bars(rows.map(function (r) {
        return Object.assign({label: r.label, tip: tip(r.improved, '%')}, r.improved);
      }), {title: 'Improved (%)', dimTitle: 'Domain', unit: '%'}),
      csv: {columns: ['period', 'region', 'domain'].concat(figCols('improved_pct'),
              figCols('pairs'), figCols('assessed_pct'), figCols('seen'), ['agencies']),
            rows: rows.map(function (r) {
              return [p, state.region, r.domain].concat(figVals(r.improved), figVals(r.pairs),
                figVals(r.assessed), figVals(r.seen), [r.agencies]);
            })},
      table: C.table('Outcomes by domain, ' + p,
        ['Domain', 'Improved (%)', 'Clients with a before and after', 'Assessed (%)',
         'Clients seen'],
        rows.map(function (r) {
          return [r.label, C.figureCell(r.improved, '%'), C.figureCell(r.pairs),
                  C.figureCell(r.assessed, '%'), C.figureCell(r.seen)];
        }), {className: 'stack', labels: ['Domain', 'Improved (%)',
          'Clients with a before and after', 'Assessed (%)', 'Clients seen']}),
      tableOpen: true
    });
  }

  /* ---- agencies and events ---- */

  function renderCoverage() {
    C.figure(clear('coverage-box'), {
      id: 'agencies', title: 'Agencies reporting each quarter',
      spec: S.agencies(F.coverage.map(function (c) {
        return {period: c.period, count: c.agencies,
                note: c.joined.length ? 'joined: ' + c.joined.join(', ') : 'none joined'};
      })),
      csv: {columns: ['period', 'agencies', 'released', 'joined', 'missing'],
            rows: F.coverage.map(function (c) {
              return [c.period, c.agencies, c.released, c.joined, c.missing];
            })},
      table: C.table('Agencies reporting each quarter',
        ['Quarter', 'Agencies', 'Which', 'Joined', 'Not yet reported'],
        F.coverage.map(function (c) {
          return [c.period, String(c.agencies), c.released.join(', '), c.joined.join(', '),
                  c.missing.join(', ')];
        }))
    });
  }

  function renderEvents() {
    var list = clear('event-list');
    EVENTS.slice().reverse().forEach(function (e) {
      var li = el('li', {value: String(e.n)});
      li.appendChild(el('time', {datetime: e.date}, W.date(e.date)));
      li.appendChild(document.createTextNode(' '));
      li.appendChild(e.url ? el('a', {href: e.url}, e.title) : document.createTextNode(e.title));
      var b = el('button', {type: 'button', 'class': 'link'},
                 'Before and after (' + e.before + ', ' + e.after + ')');
      b.addEventListener('click', function () { compareEvent(e); });
      li.appendChild(document.createTextNode(' '));
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  /* ---- the ebb and flow (issue 16): new clients, visits, needs,
   * referral sources; every figure from figures.js, with its range ---- */

  function renderFlows() {
    var region = state.region, box = clear('flows-box');
    if (!F.dim('client_status')) return;
    var rows = D.periods.map(function (p) { return F.newShare(p, region); })
      .filter(function (r) { return r && r.share.est !== null; });
    var yoy = F.newShareChange('yoy', F.latest, region),
        last = F.newShare(F.latest, region), name = regionName(region);
    var p = el('p', {'class': 'sentence', id: 'flows-headline'});
    p.textContent = last && last.share.est !== null ?
      'In the ' + F.quarter(F.latest).long + ', ' + W.figure(last.share, '%').text +
      ' of clients whose history is known were new (not seen in the 12 months before)' +
      (last.share.shown === 'number' ? ' (' + W.range(last.share, '%') + ')' : '') +
      (yoy ? '; a year before, over the same ' + yoy.matched + ' agencies, ' +
        W.num(yoy.base.est, '%') + ': a change of ' + W.signed(yoy.delta.est, ' points') +
        ' (' + W.range(yoy.delta, ' points', true) + ', ' +
        (yoy.beyond ? 'beyond rounding' : 'could be rounding') + ').' : '.') :
      'Whether clients are new is not known yet (the exports are too short).';
    box.appendChild(p);
    C.figure(box, {
      id: 'flows-new', title: 'Share of clients who are new, ' + name,
      alt: 'Line chart of the share of clients who are new each quarter, with its range ' +
           'and the policy events',
      spec: S.trend(rows.map(function (r) {
        return Object.assign({period: r.period, tip: tip(r.share, '%')}, r.share);
      }), {title: 'New clients (%)', periods: D.periods, events: EVENTS, height: 160}),
      events: EVENTS, onCompare: compareEvent,
      legend: [['k-line', 'Estimate'], ['k-band', 'Range'], ['k-event', 'Policy change']],
      csv: {columns: ['period', 'region', 'new_share', 'new_share_low', 'new_share_high',
                      'new_share_shown'],
            rows: rows.map(function (r) {
              return [r.period, region, r.share.est, r.share.low, r.share.high, r.share.shown];
            })},
      table: C.table('Share of clients who are new, ' + name,
        ['Quarter', 'New (%)', 'New', 'Status known'], rows.map(function (r) {
          return [r.period, C.figureCell(r.share, '%'), C.figureCell(r.new),
                  C.figureCell(r.known)];
        }))
    });
    var visits = F.dim('visits_band'), needs = F.dim('needs_band'),
        more = needs.codes[needs.codes.length - 1];
    var wrap = el('div', {'class': 'table-wrap'});
    wrap.appendChild(C.table('Clients by visits in the quarter, and clients with ' +
        more[1].toLowerCase() + ', ' + name,
      ['Quarter'].concat(visits.codes.map(function (c) { return c[1]; }),
                         [more[1], more[1] + ' (% of clients)']),
      D.periods.map(function (q) {
        var m = F.flowCount(q, region, 'needs_band', more[0]);
        return [q].concat(visits.codes.map(function (c) {
          var v = F.flowCount(q, region, 'visits_band', c[0]);
          return v ? C.figureCell(v.count) : el('td', {}, '');
        }), [m ? C.figureCell(m.count) : el('td', {}, ''),
             m ? C.figureCell(m.share, '%') : el('td', {}, '')]);
      }), {className: 'stack', id: 'flows-visits'}));
    box.appendChild(wrap);
    var ref = F.dim('referral');
    if (ref) {
      var rw = el('div', {'class': 'table-wrap'});
      rw.appendChild(C.table('Referral sources, ' + F.quarter(F.latest).long + ', ' + name,
        ['Referred by', 'Clients', '% of clients'], ref.codes.map(function (c) {
          var v = F.flowCount(F.latest, region, 'referral', c[0]);
          return [c[1], v ? C.figureCell(v.count) : el('td', {}, ''),
                  v ? C.figureCell(v.share, '%') : el('td', {}, '')];
        }), {className: 'stack', id: 'flows-referral'}));
      box.appendChild(rw);
    }
  }

  function render() {
    renderHeadline();
    renderTrend();
    renderBeforeAfter();
    renderFlows();
    renderBreakdowns();
    renderChanges();
    renderRegions();
    renderOutcomes();
  }

  function setup() {
    fillSelect('region-select', [['*', 'New Zealand (all regions)']].concat(
      F.region.codes.filter(function (c) { return F.cell(F.latest, c[0]); })),
      state.region, function (v) { state.region = v; render(); });
    fillSelect('measure-select', D.measures.map(function (m) { return [m.name, m.title]; }),
      state.measure, function (v) {
        state.measure = v;
        renderTrend(); renderBreakdowns(); renderChanges(); renderRegions();
      });
    fillSelect('mode-select', [['count', 'Counts'], ['share', 'Shares of clients']],
      state.mode, function (v) { state.mode = v; renderBreakdowns(); });
    var first = D.periods[0], last = D.periods[D.periods.length - 1];
    document.getElementById('data-note').textContent = 'Data: ' + F.quarter(first).span.split(' to ')[0] +
      ' ' + first.slice(0, 4) + ' to ' + F.quarter(last).span.split(' to ')[1] +
      ' (' + D.periods.length + ' quarters). Published ' + W.date(D.published) + '.';
    Array.prototype.forEach.call(document.querySelectorAll('.max-share'), function (e) {
      e.textContent = String(D.max_range_share);
    });
    document.getElementById('citation').textContent = 'New Zealand Council of Christian ' +
      'Social Services (' + D.published.slice(0, 4) + '). Community services dashboard: ' +
      'people helped by member agencies, ' + first + ' to ' + last + '. Published ' +
      W.date(D.published) + '.';
    document.getElementById('rules-note').textContent = D.rules.map(W.rules).join(' ');
    document.getElementById('foot-note').textContent = 'Figures ' + first + ' to ' + last +
      ', published ' + W.date(D.published) + '.';
  }

  setup();
  render();
  renderCoverage();
  renderEvents();
  window.NZ_READY = Promise.all(NZCharts.pending);
})();
