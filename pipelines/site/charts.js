/* charts.js: a chart as the dashboard and the report show it: a caption,
 * the Vega-Lite chart, labels for the policy events above it (stacked so
 * none overlap, each a button that shows the event's date, title and
 * link on focus), the chart's data as CSV and its image as SVG and PNG
 * (Blob downloads: no server needed), and the table of its figures. */
(function (root) {
  'use strict';

  var W = root.NZWords;
  var LANE = 26;        /* px per row of event labels */
  var uid = 0, live = {};

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function download(name, blob) {
    var a = el('a', {href: URL.createObjectURL(blob), download: name});
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 2000);
  }

  /* a figure in a table cell, written as it may be shown */
  function figureCell(f, unit) {
    var g = W.figure(f, unit), td = el('td', {'class': 'num fig-' + g.kind,
                                              'data-shown': g.kind, title: g.title});
    if (g.kind === 'S') td.appendChild(el('abbr', {title: 'fewer than 6'}, 'S'));
    else td.appendChild(document.createTextNode(g.text));
    if (g.range) td.appendChild(el('span', {'class': 'range'}, ' (' + g.range + ')'));
    return td;
  }

  /* A table: head is a list of column titles; rows of cells, each a
   * string or a node (a td from figureCell); the first cell of a row is
   * its header. */
  function table(caption, head, rows, opts) {
    var t = el('table', {'class': (opts && opts.className) || null,
                         id: (opts && opts.id) || null});
    var thead = el('thead'), tbody = el('tbody'), tr = el('tr');
    if (caption) t.appendChild(el('caption', {}, caption));
    head.forEach(function (h) { tr.appendChild(el('th', {scope: 'col'}, h)); });
    thead.appendChild(tr);
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (c, i) {
        var cell;
        if (c && c.nodeType) cell = c;
        else cell = i === 0 ? el('th', {scope: 'row'}, c) : el('td', {}, c);
        /* a phone shows each row as a block: each cell keeps its title
         * (opts.labels, where the column titles lean on each other) */
        cell.setAttribute('data-label', (opts && opts.labels || head)[i]);
        var v = el('span', {'class': 'v'});
        while (cell.firstChild) v.appendChild(cell.firstChild);
        cell.appendChild(v);
        row.appendChild(cell);
      });
      tbody.appendChild(row);
    });
    t.appendChild(thead);
    t.appendChild(tbody);
    return t;
  }

  /* the labels of the policy events above a time chart, placed at their
   * dates in the first lane where they overlap no label before them */
  function placeEvents(strip, chart, view, events) {
    var svg = chart.querySelector('svg');
    if (!svg || !view) return;
    var x = view.scale('x'), origin = view.origin();
    var offset = svg.getBoundingClientRect().left - strip.getBoundingClientRect().left;
    var width = strip.clientWidth, ends = [];
    var domain = x.domain();
    events.forEach(function (e) {
      var t = NZSpecs.isoTime(e.date);
      e.node.hidden = t < +domain[0] || t >= +domain[1];
    });
    events.filter(function (e) { return !e.node.hidden; }).forEach(function (e) {
      var at = offset + origin[0] + x(NZSpecs.isoTime(e.date));
      var w = e.button.offsetWidth, left = Math.max(0, Math.min(at - 7, width - w));
      var lane = 0;
      while (lane < ends.length && ends[lane] + 4 > left) lane++;
      ends[lane] = left + w;
      e.node.style.left = left + 'px';
      e.node.style.top = lane * LANE + 'px';
      e.node.querySelector('.pointer').style.left = (at - left - 5) + 'px';
      e.node.classList.toggle('flip', left > width / 2);
    });
    strip.style.height = (Math.max(1, ends.length) * LANE + 8) + 'px';
  }

  function eventLabels(events, onCompare) {
    var strip = el('div', {'class': 'event-strip', role: 'list',
                           'aria-label': 'Policy events on this chart'});
    var items = events.map(function (e) {
      var id = 'ev-' + (++uid);
      var node = el('div', {'class': 'event', role: 'listitem'});
      var button = el('button', {type: 'button', 'class': 'event-label',
                                 'aria-describedby': id, 'aria-expanded': 'false',
                                 'data-date': e.date});
      button.appendChild(el('span', {'class': 'event-num'}, String(e.n)));
      button.appendChild(document.createTextNode(' ' + W.monthYear(e.date)));
      var pop = el('div', {'class': 'popover', id: id, role: 'tooltip'});
      pop.appendChild(el('time', {datetime: e.date}, W.date(e.date)));
      pop.appendChild(el('p', {}, e.title));
      if (e.url) pop.appendChild(el('a', {href: e.url}, 'The announcement'));
      if (onCompare) {
        var cmp = el('button', {type: 'button', 'class': 'link'},
                     'Before and after: ' + e.before + ' and ' + e.after);
        cmp.addEventListener('click', function () { onCompare(e); });
        pop.appendChild(cmp);
      }
      button.addEventListener('click', function () {
        var open = node.classList.toggle('open');
        button.setAttribute('aria-expanded', open ? 'true' : 'false');
      });
      node.addEventListener('keydown', function (k) {
        if (k.key === 'Escape') { node.classList.remove('open'); button.focus(); }
      });
      node.appendChild(el('span', {'class': 'pointer', 'aria-hidden': 'true'}));
      node.appendChild(button);
      node.appendChild(pop);
      strip.appendChild(node);
      return {node: node, button: button, date: e.date};
    });
    return {strip: strip, items: items};
  }

  /* A chart with its tools.  opts: id, title, note, spec, alt, csv
   * {columns, rows, preamble}, table (a node), events (for time charts), onCompare,
   * legend [[className, text]]. */
  function figure(box, opts) {
    var fig = el('figure', {'class': 'fig', id: 'fig-' + opts.id});
    var cap = el('figcaption', {id: 'cap-' + opts.id}, opts.title);
    var chart = el('div', {'class': 'chart', id: 'chart-' + opts.id, role: 'img',
                           'aria-label': opts.alt || opts.title});
    var labels = opts.events ? eventLabels(opts.events, opts.onCompare) : null;
    fig.appendChild(cap);
    if (opts.note) fig.appendChild(el('p', {'class': 'note'}, opts.note));
    if (labels) fig.appendChild(labels.strip);
    fig.appendChild(chart);
    if (opts.legend) {
      var lg = el('p', {'class': 'legend'});
      opts.legend.forEach(function (item) {
        var s = el('span', {'class': 'key ' + item[0]});
        lg.appendChild(s);
        lg.appendChild(document.createTextNode(item[1] + ' '));
      });
      fig.appendChild(lg);
    }
    var tools = el('div', {'class': 'fig-tools'});
    var tableBox = el('div', {'class': 'fig-table table-wrap', id: 'table-' + opts.id});
    var views = {};
    function button(text, what, fn) {
      var b = el('button', {type: 'button', 'data-download': what}, text);
      b.addEventListener('click', fn);
      tools.appendChild(b);
      return b;
    }
    /* opts.csv.preamble: lines before the header (the internal report's
     * marking), each one field */
    if (opts.csv)
      button('Data (CSV)', 'csv', function () {
        var lead = (opts.csv.preamble || []).map(function (l) { return W.csv([l], []); });
        download(opts.id + '.csv', new Blob([lead.join('') + W.csv(opts.csv.columns, opts.csv.rows)],
                                            {type: 'text/csv;charset=utf-8'}));
      });
    button('Image (SVG)', 'svg', function () {
      views.view.toSVG().then(function (svg) {
        download(opts.id + '.svg', new Blob([svg], {type: 'image/svg+xml'}));
      });
    });
    button('Image (PNG)', 'png', function () {
      views.view.toCanvas(2).then(function (canvas) {
        canvas.toBlob(function (b) { download(opts.id + '.png', b); }, 'image/png');
      });
    });
    if (opts.table) {
      var toggle = el('button', {type: 'button', 'aria-expanded': 'false',
                                 'aria-controls': tableBox.id, 'class': 'table-toggle'},
                      'Show the table');
      toggle.addEventListener('click', function () {
        var open = tableBox.classList.toggle('open');
        toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
        toggle.textContent = open ? 'Hide the table' : 'Show the table';
      });
      tools.appendChild(toggle);
      tableBox.appendChild(opts.table);
      if (opts.tableOpen) { tableBox.classList.add('open'); toggle.remove(); }
    }
    fig.appendChild(tools);
    fig.appendChild(tableBox);
    box.appendChild(fig);
    var done = vegaEmbed(chart, opts.spec, {actions: false, renderer: 'svg'})
      .then(function (result) {
        views.view = result.view;
        /* a chart drawn again replaces its view: free the old one */
        if (live[opts.id] && live[opts.id] !== result.view) live[opts.id].finalize();
        live[opts.id] = result.view;
        if (labels) {
          var place = function () { placeEvents(labels.strip, chart, result.view, labels.items); };
          place();
          result.view.addResizeListener(function () { setTimeout(place, 0); });
        }
        chart.setAttribute('data-drawn', 'true');
        return result.view;
      })
      .catch(function (err) {
        chart.textContent = 'The chart could not be drawn: ' + err.message;
        console.error(err);
      });
    root.NZCharts.pending.push(done);
    return fig;
  }

  root.NZCharts = {figure: figure, table: table, figureCell: figureCell, el: el,
                   download: download, pending: []};
})(this);
