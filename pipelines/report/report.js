/* report.js: the six-monthly report, filled from data.js (publish
 * --report HALF --narrative DIR) with the dashboard's figures, words and
 * chart specs.  Every figure and every sentence holding one comes from
 * the data; the dimensions come from the data too, so each breakdown,
 * present or future, gets its section.  When the charts are drawn the
 * body gets data-ready="true" (the browser test waits for it). */
(function () {
  'use strict';

  var D = window.NZ_DATA, F = NZFigures.model(D), W = NZWords, C = NZCharts,
      S = NZSpecs, el = C.el;
  var R = D.report, Q = R.quarters, last = Q[1];
  var WIDTH = 600;
  var EVENTS = F.events;
  var PERIODS = D.periods.filter(function (p) { return p <= last; });

  function box(id) { return document.getElementById(id); }
  function text(id, t) { box(id).textContent = t; }
  function add(parent, node) { parent.appendChild(node); return node; }
  function tip(f, unit) {
    var g = W.figure(f, unit);
    return g.kind === 'number' ? g.text + ' (' + g.range + ')' :
      g.kind === 'S' ? 'S (fewer than 6)' : g.text;
  }
  /* a share's move between two quarters, read from its two ranges */
  function verdict(r) {
    var m = F.moved(r.before, r.after);
    return m > 0 ? 'higher' : m < 0 ? 'lower' : 'about the same';
  }
  function changeCells(ch) {
    if (!ch) return [el('td', {}, 'no comparison'), el('td'), el('td')];
    return [el('td', {'class': 'num'}, W.changeText(ch)),
            el('td', {'class': 'num'}, ch.pct ? W.pctText(ch.pct) + ' (' +
                      W.range(ch.pct, '%', true) + ')' : ''),
            el('td', {}, ch.beyond ? (ch.delta.est > 0 ? 'up' : 'down') : 'about the same')];
  }

  /* ---- the cover and the key findings ---- */

  function cover() {
    var covers = F.quarter(Q[0]).span.split(' to ')[0] + ' to ' +
      F.quarter(last).span.split(' to ')[1];
    document.title = 'Community services report, ' + R.title + ': NZCCSS';
    text('subtitle', R.title);
    text('covers', covers + ' (' + Q.join(' and ') + ')');
    text('published', W.date(D.published));
    text('agencies', Q.map(function (q) {
      var c = F.coverageOf(q);
      return c.agencies + ' in ' + q + (c.joined.length ? ' (joined: ' + c.joined.join(', ') +
        ')' : '') + (c.missing.length ? ' (not yet reported: ' + c.missing.join(', ') + ')' : '');
    }).join('; '));
  }

  /* the groups whose share of clients moved most clearly on a year
   * before: the ranges apart, the largest moves first */
  function shareShifts(n) {
    var all = [];
    F.breakdowns.forEach(function (d) {
      var sh = F.sharesBetween('yoy', last, '*', d.name);
      (sh ? sh.rows : []).forEach(function (r) {
        if (F.moved(r.before, r.after) && r.after.est !== null && r.before.est !== null)
          all.push({d: d, r: r, size: Math.abs(r.after.est - r.before.est), base: sh});
      });
    });
    return all.sort(function (a, b) { return b.size - a.size; }).slice(0, n);
  }

  function findings() {
    var list = box('findings'), q = F.quarter(last), total = F.cell(last, '*');
    D.measures.forEach(function (m) {
      var li = add(list, el('li', {'data-measure': m.name}));
      if (m.additive) {
        li.textContent = W.halfSentence(m.title, F.half(R.half, '*', m.name), R.title);
        return;
      }
      li.textContent = W.headline(m.title, F.fig(total, m.name),
        F.change(F.changeRow('yoy', last, '*'), m.name),
        F.change(F.changeRow('qoq', last, '*'), m.name), q.long);
    });
    shareShifts(4).forEach(function (s) {
      add(list, el('li', {'class': 'shift'}, s.d.title + ': ' + W.sharePhrase(s.r.label, s.r,
        last, s.r.clients.base_period) + ', ' + (s.r.after.est > s.r.before.est ? 'higher' :
        'lower') + ', ' + W.agenciesPhrase(s.base.total.matched) + '.'));
    });
    F.breakdowns.forEach(function (d) {
      var sh = F.sharesBetween('yoy', last, '*', d.name);
      (sh ? sh.rows : []).filter(function (r) { return d.highlight.indexOf(r.code) >= 0; })
        .forEach(function (r) {
          add(list, el('li', {'class': 'featured'}, d.title + ': ' +
            W.sharePhrase(r.label, r, last, r.clients.base_period) + ' (' + verdict(r) + ').'));
        });
    });
  }

  /* ---- headline table, trend, changes, regions ---- */

  function headline() {
    var rows = D.measures.map(function (m) {
      var cells = Q.map(function (p) { return C.figureCell(F.fig(F.cell(p, '*'), m.name)); });
      var h = m.additive ? F.half(R.half, '*', m.name) : null;
      return [m.title].concat(cells, [h ? C.figureCell(h.total) :
        el('td', {'class': 'note'}, 'not added: people')]);
    });
    box('headline-box').appendChild(C.table('National figures, ' + R.title,
      ['Measure', Q[0], Q[1], 'Half-year total'], rows));
  }

  function trend() {
    var rows = PERIODS.map(function (p) { return F.cell(p, '*'); }).filter(Boolean);
    var lfl = F.likeForLike('*', 'clients');
    var data = rows.map(function (r) {
      var f = F.fig(r, 'clients');
      return Object.assign({period: r.period, tip: tip(f)}, f);
    });
    var panel = rows.filter(function (r) { return lfl[r.period]; }).map(function (r) {
      return Object.assign({period: r.period}, lfl[r.period]);
    });
    var differs = panel.some(function (p) { return p.est !== F.cell(p.period, '*').clients; });
    var marks = F.coverage.filter(function (c) {
      return c.period <= last && (c.joined.length || c.missing.length);
    }).map(function (c) {
      return {period: c.period, text: (c.joined.length ? '+' + c.joined.join(', +') : '') +
              (c.missing.length ? ' not yet: ' + c.missing.join(', ') : '')};
    });
    C.figure(box('trend-box'), {
      id: 'trend', title: 'Clients, New Zealand, each quarter to ' + last,
      spec: S.trend(data, {title: 'Clients', periods: PERIODS, events: EVENTS, width: WIDTH,
                           height: 210, panel: differs && F.latest <= last ? panel : null,
                           marks: marks}),
      events: EVENTS,
      legend: [['k-line', 'Estimate'], ['k-band', 'Range'],
               ['k-panel', differs && F.latest <= last ? 'Like for like' : ''],
               ['k-event', 'Policy change (numbered as in the list of events)']]
        .filter(function (k) { return k[1]; }),
      table: C.table('Clients, New Zealand', ['Quarter', 'Clients', 'Agencies'],
        rows.map(function (r) {
          return [r.period, C.figureCell(F.fig(r, 'clients')), String(r.agencies)];
        })),
      tableOpen: true
    });
  }

  function changes() {
    var rows = [];
    D.measures.forEach(function (m) {
      Q.forEach(function (p) {
        rows.push([m.title + ', ' + p]
          .concat(changeCells(F.change(F.changeRow('yoy', p, '*'), m.name)),
                  changeCells(F.change(F.changeRow('qoq', p, '*'), m.name))));
      });
      if (m.additive) {
        var h = F.half(R.half, '*', m.name);
        rows.push([m.title + ', half-year total'].concat(changeCells(h && h.change),
          [el('td'), el('td'), el('td')]));
      }
    });
    box('changes-box').appendChild(C.table('National changes, like for like',
      ['Figure', 'On a year before', '% (range)', '', 'On the quarter before', '% (range)', ''],
      rows, {className: 'changes'}));
  }

  function regions() {
    var rows = F.region.codes.map(function (c) {
      var r = F.cell(last, c[0]);
      return r ? {code: c[0], label: c[1], f: F.fig(r, 'clients')} : null;
    }).filter(Boolean);
    C.figure(box('regions-box'), {
      id: 'regions', title: 'Clients by region, ' + last,
      spec: S.bars(rows.map(function (r) {
        return Object.assign({label: r.label, tip: tip(r.f)}, r.f);
      }), {title: 'Clients', dimTitle: 'Region', width: WIDTH}),
      table: C.table('Clients by region, with the change on a year before',
        ['Region', Q[0], Q[1], 'On a year before', '% (range)', ''],
        rows.map(function (r) {
          return [r.label, C.figureCell(F.fig(F.cell(Q[0], r.code), 'clients')),
                  C.figureCell(r.f)]
            .concat(changeCells(F.change(F.changeRow('yoy', last, r.code), 'clients')));
        })),
      tableOpen: true
    });
  }

  /* ---- the ebb and flow (issue 16) ---- */

  /* "41.2% (range 38.0-44.5%)" or what the share's rule shows */
  function shareText(f) {
    var g = W.figure(f, '%');
    return g.kind === 'number' ? g.text + ' (' + g.range + ')' : g.text;
  }

  /* the share of clients who are new in the half's last quarter, with
   * its like-for-like change on a year before, as a key finding; the
   * half's quarters in a table with visits and needs */
  function flows() {
    var sec = box('flows');
    if (!F.dim('client_status')) { sec.parentNode.removeChild(sec); return; }
    var now = F.newShare(last, '*'), yoy = F.newShareChange('yoy', last, '*');
    if (now && now.share.est !== null)
      add(box('findings'), el('li', {'class': 'flows', id: 'finding-new'},
        'New clients: ' + shareText(now.share) + ' of clients whose history is known in ' +
        last + ' were new' + (yoy ? '; ' + W.num(yoy.base.est, '%') + ' a year before, over ' +
        'the same ' + yoy.matched + ' agencies: ' + W.signed(yoy.delta.est, ' points') + ' (' +
        W.range(yoy.delta, ' points', true) + ', ' + (yoy.beyond ? 'beyond rounding' :
        'could be rounding') + ').' : '.')));
    var visits = F.dim('visits_band'), needs = F.dim('needs_band'),
        more = needs.codes[needs.codes.length - 1];
    var head = ['Quarter', 'New (% of known)', 'On a year before (points)']
      .concat(visits.codes.map(function (c) { return c[1]; }),
              [more[1], more[1] + ' (% of clients)']);
    var rows = Q.map(function (q) {
      var n = F.newShare(q, '*'), ch = F.newShareChange('yoy', q, '*'),
          m = F.flowCount(q, '*', 'needs_band', more[0]);
      return [q, n ? C.figureCell(n.share, '%') : el('td', {}, ''),
              el('td', {'class': 'num'}, ch ? W.signed(ch.delta.est, '') + ' (' +
                 W.range(ch.delta, '', true) + ')' : 'no comparison')]
        .concat(visits.codes.map(function (c) {
          var v = F.flowCount(q, '*', 'visits_band', c[0]);
          return v ? C.figureCell(v.count) : el('td', {}, '');
        }), [m ? C.figureCell(m.count) : el('td', {}, ''),
             m ? C.figureCell(m.share, '%') : el('td', {}, '')]);
    });
    box('flows-box').appendChild(C.table('New clients, visits in the quarter and clients ' +
      'with ' + more[1].toLowerCase() + ', New Zealand', head, rows,
      {className: 'stack', id: 'report-flows'}));
  }

  /* ---- outcomes (issue 23): the share improved and assessed by domain ---- */

  function outcomes() {
    var rows = F.outcomes(last, '*'), prev = F.outcomes(Q[0], '*');
    if (!rows) {
      text('outcomes-note', 'No agency that records assessments reported the ' +
        F.quarter(last).long + '.');
      return;
    }
    if (rows[0].withheld) {
      text('outcomes-note', 'Only one agency that records assessments reported the ' +
        F.quarter(last).long + ': its figures would be that agency\'s outcomes, and ' +
        'agencies are never compared with each other.');
      return;
    }
    var n = rows[0].agencies;
    text('outcomes-note', 'Of the clients of the ' + n +
      (n === 1 ? ' agency that records' : ' agencies that record') +
      ' assessments, each with its own tool and scale: each client\'s first ' +
      'assessment of the episode against the latest, four weeks or more apart. Agencies ' +
      'are never compared with each other.');
    function before(dom) {
      var r = prev && prev.filter(function (x) { return x.domain === dom; })[0];
      return r && !r.withheld ? r.improved : null;
    }
    C.figure(box('outcomes-box'), {
      id: 'outcomes', title: 'Share of clients who improved, by domain, ' + last,
      spec: S.bars(rows.map(function (r) {
        return Object.assign({label: r.label, tip: tip(r.improved, '%')}, r.improved);
      }), {title: 'Improved (%)', dimTitle: 'Domain', unit: '%', width: WIDTH}),
      table: C.table('Share of clients who improved, and share assessed, by domain',
        ['Domain', 'Improved ' + Q[0] + ' (%)', 'Improved ' + Q[1] + ' (%)',
         'Assessed ' + Q[1] + ' (%)'],
        rows.map(function (r) {
          return [r.label, C.figureCell(before(r.domain), '%'), C.figureCell(r.improved, '%'),
                  C.figureCell(r.assessed, '%')];
        })),
      tableOpen: true
    });
  }

  /* ---- one section per breakdown ---- */

  function breakdown(d, parent) {
    var sec = add(parent, el('section', {id: 'breakdown-' + d.name, 'class': 'breakdown'}));
    add(sec, el('h2', {}, d.title));
    if (d.multi) add(sec, el('p', {'class': 'note'}, 'Total response: a person can be in ' +
                                   'several groups, so the shares add up to more than 100%.'));
    var sh = F.sharesBetween('yoy', last, '*', d.name);
    var rows = d.codes.map(function (c) {
      var r = F.cell(last, '*', d.name, c[0]), total = F.cell(last, '*');
      if (!r || !total) return null;
      var y = sh && sh.rows.filter(function (s) { return s.code === c[0]; })[0];
      return {code: c[0], label: c[1], r: r, share: F.share(F.fig(r, 'clients'),
              F.fig(total, 'clients')), y: y};
    }).filter(Boolean);
    if (!rows.length) {
      add(sec, el('p', {'class': 'missing'}, 'No figures for ' + d.title.toLowerCase() +
                                            ' in ' + last + '.'));
      return;
    }
    C.figure(sec, {
      id: 'bd-' + d.name, title: d.title + ': share of clients, New Zealand, ' + last,
      spec: S.bars(rows.map(function (r) {
        return Object.assign({label: r.label, tip: tip(r.share, '%')}, r.share);
      }), {title: 'Share of clients', unit: '%', dimTitle: d.title, width: WIDTH}),
      table: C.table(d.title + ': clients, New Zealand; the share a year before and ' +
                     'the verdict are like for like',
        [d.title, 'Clients ' + Q[0], 'Clients ' + Q[1], 'Share ' + Q[1],
         'Share ' + (+last.slice(0, 4) - 1) + last.slice(4), 'On a year before'],
        rows.map(function (r) {
          var th = el('th', {scope: 'row', 'class': d.highlight.indexOf(r.code) >= 0 ?
                                                    'featured' : null}, r.label);
          return [th, C.figureCell(F.fig(F.cell(Q[0], '*', d.name, r.code), 'clients')),
                  C.figureCell(F.fig(r.r, 'clients')), C.figureCell(r.share, '%'),
                  r.y ? C.figureCell(r.y.before, '%') : el('td'),
                  el('td', {}, r.y ? verdict(r.y) : '')];
        })),
      tableOpen: true
    });
  }

  /* ---- events, narrative, notes ---- */

  /* every event on the trend chart, by its number there; those of the
   * half first and marked */
  function events() {
    var list = box('events'), first = PERIODS[0];
    var shown = EVENTS.filter(function (e) { return e.period >= first && e.period <= last; });
    var inHalf = shown.filter(function (e) { return Q.indexOf(e.period) >= 0; });
    if (!inHalf.length)
      list.parentNode.insertBefore(el('p', {}, 'No policy events are recorded for this half.'),
                                   list);
    inHalf.concat(shown.filter(function (e) { return inHalf.indexOf(e) < 0; }).reverse())
      .forEach(function (e) {
        var li = add(list, el('li', {value: String(e.n),
                                     'class': inHalf.indexOf(e) >= 0 ? 'in-half' : null}));
        add(li, el('time', {datetime: e.date}, W.date(e.date)));
        li.appendChild(document.createTextNode(': '));
        add(li, e.url ? el('a', {href: e.url}, e.title) : document.createTextNode(e.title));
        if (inHalf.indexOf(e) >= 0) li.appendChild(document.createTextNode(' (this half)'));
      });
  }

  function narrative() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-narrative]'), function (sec) {
      var name = sec.getAttribute('data-narrative'), html = R.narrative[name];
      if (html && html.replace(/\s+/g, '')) {
        var body = add(sec, el('div', {'class': 'narrative-body'}));
        body.innerHTML = html;   /* CommonMark by publish, raw HTML left out */
        return;
      }
      add(sec, el('p', {'class': 'missing'}, 'The ' + sec.querySelector('h2').textContent +
        ' narrative for this half has not been written yet (' + name + '.md was ' +
        (html === undefined ? 'not found' : 'empty') + ').'));
    });
  }

  function notes() {
    text('rules', D.rules.map(W.rules).join(' '));
    Array.prototype.forEach.call(document.querySelectorAll('.max-share'), function (e) {
      e.textContent = String(D.max_range_share);
    });
    text('citation', 'New Zealand Council of Christian Social Services (' +
      D.published.slice(0, 4) + '). Community services report, ' + R.title + '. Published ' +
      W.date(D.published) + '.');
  }

  cover();
  findings();
  headline();
  trend();
  changes();
  regions();
  flows();
  outcomes();
  F.breakdowns.forEach(function (d) { breakdown(d, box('breakdowns')); });
  events();
  narrative();
  notes();
  Promise.all(C.pending).then(function () {
    document.body.setAttribute('data-ready', 'true');
  });
})();
