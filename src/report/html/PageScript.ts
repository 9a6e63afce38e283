/**
 * The report page's inline script: reads the JSON blocks, draws the summary bar,
 * the filters and each section a page at a time. Every value reaches the page as
 * `textContent`, never as markup, so data can never become HTML.
 * (Plain ES2020 in a string: no backticks or template holes inside.)
 */
export const pageScript = String.raw`
(function () {
  "use strict";
  var PAGE = 50;
  var spec = JSON.parse(document.getElementById("spec").textContent);
  var meta = JSON.parse(document.getElementById("meta").textContent);
  var data = {};
  spec.sections.forEach(function (s) { data[s.key] = []; });
  document.querySelectorAll("script.entries").forEach(function (el) {
    var list = data[el.dataset.section] || (data[el.dataset.section] = []);
    var parsed = JSON.parse(el.textContent);
    for (var i = 0; i < parsed.length; i++) list.push(parsed[i]);
  });

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === "text") node.textContent = attrs[k]; else if (k === "cls") node.className = attrs[k]; else node.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function show(v) { return v === null || v === undefined ? "\u2205" : typeof v === "string" ? v : JSON.stringify(v); }
  function td(v, cls) { return el("td", { text: show(v), cls: (cls || "") + (v === null || v === undefined ? " none" : "") }); }
  function num(n) { return Number(n).toLocaleString("en-US"); }

  // == summary bar, counts first
  var summary = el("div", { id: "summary" });
  meta.counts.forEach(function (c) {
    summary.appendChild(el("div", { cls: "count " + (c.section || c.label), "data-count": c.label }, [el("b", { text: num(c.value) }), el("span", { text: c.label })]));
  });
  summary.appendChild(el("p", { id: "accounting", text: meta.accounting }));

  // == filters
  var state = { actions: {}, field: "", borrower: "", caseType: "", q: "", page: {} };
  var filters = el("div", { id: "filters" });
  spec.sections.forEach(function (s) {
    state.actions[s.key] = true;
    var box = el("input", { type: "checkbox", id: "show-" + s.key, checked: "" });
    box.addEventListener("change", function () { state.actions[s.key] = box.checked; render(); });
    filters.appendChild(el("label", { "for": "show-" + s.key }, [box, document.createTextNode(" " + s.title)]));
  });
  function select(id, label, values, key) {
    var sel = el("select", { id: id }, [el("option", { value: "", text: "any " + label })].concat(values.map(function (v) { return el("option", { value: v, text: v }); })));
    sel.addEventListener("change", function () { state[key] = sel.value; state.page = {}; render(); });
    filters.appendChild(el("label", { "for": id, text: label + " " }, [sel]));
  }
  function search(id, label, placeholder, key) {
    var input = el("input", { type: "search", id: id, placeholder: placeholder });
    var timer = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state[key] = input.value.trim().toLowerCase(); state.page = {}; render(); }, 120);
    });
    filters.appendChild(el("label", { "for": id, text: label + " " }, [input]));
  }
  select("filter-field", "field", meta.fields, "field");
  select("filter-case-type", "case type", meta.caseTypes, "caseType");
  search("filter-borrower", "borrower", "borrower id", "borrower");
  search("search", "search", "source key or externalId", "q");

  var main = el("main");
  document.body.appendChild(summary);
  document.body.appendChild(filters);
  document.body.appendChild(main);

  function matches(e) {
    if (state.q && !((e.k || "").toLowerCase().indexOf(state.q) >= 0 || (e.x || "").toLowerCase().indexOf(state.q) >= 0)) return false;
    if (state.borrower && (e.b || "").toLowerCase().indexOf(state.borrower) < 0) return false;
    if (state.caseType && e.t !== state.caseType) return false;
    if (state.field && e.f !== state.field && !(e.r || []).some(function (row) { return row[0] === state.field; })) return false;
    return true;
  }

  function entryCard(s, e) {
    var title = el("h3", null, [
      el("code", { text: e.x || e.k || "(no key)" }),
      document.createTextNode(e.i ? " \u2192 case " + e.i : e.b ? " for borrower " + e.b : ""),
      el("span", { cls: "where", text: "  " + e.l + (e.t ? " \u00b7 " + e.t : "") + (e.i && e.b ? " \u00b7 borrower " + e.b : "") })
    ]);
    var children = [title];
    if (e.m) children.push(el("p", { text: e.m }));
    if (s.columns && e.r && e.r.length) {
      var head = el("tr", null, s.columns.map(function (c) { return el("th", { text: c }); }));
      var rows = e.r.map(function (row) {
        return el("tr", null, row.map(function (v, i) { return td(v, i === 0 ? "field" : i === 1 ? "before" : i === row.length - 1 ? "after" : ""); }));
      });
      children.push(el("table", { cls: "diff" }, [el("thead", null, [head]), el("tbody", null, rows)]));
    }
    return el("div", { cls: "entry", "data-key": e.k || "" }, children);
  }

  function rejectTable(list) {
    var head = el("tr", null, ["location", "source key", "externalId", "field", "reason", "raw record"].map(function (c) { return el("th", { text: c }); }));
    var rows = list.map(function (e) {
      var raw = el("td", null, [el("details", null, [el("summary", { text: "raw" }), el("pre", { text: typeof e.w === "string" ? e.w : JSON.stringify(e.w, null, 2) })])]);
      return el("tr", { cls: "reject", "data-key": e.k || "" }, [td(e.l), td(e.k), td(e.x), td(e.f), td(e.m), raw]);
    });
    return el("table", { cls: "rejects" }, [el("thead", null, [head]), el("tbody", null, rows)]);
  }

  function groupTable(s) {
    var groups = (meta.groups[s.key] || []).filter(function (g) {
      return (!state.borrower || (g[0] || "").toLowerCase().indexOf(state.borrower) >= 0) && (!state.caseType || g[1] === state.caseType);
    });
    var head = el("tr", null, ["borrower", "case type", "records"].map(function (c) { return el("th", { text: c }); }));
    var rows = groups.slice(0, 200).map(function (g) { return el("tr", null, [td(g[0]), td(g[1]), el("td", { cls: "num", text: num(g[2]) })]); });
    var nodes = [el("table", { cls: "groups" }, [el("thead", null, [head]), el("tbody", null, rows)])];
    if (groups.length > 200) nodes.push(el("p", { cls: "note", text: "the 200 largest of " + num(groups.length) + " groups; filter by borrower or case type to see others" }));
    return nodes;
  }

  function pager(s, page, pages, total) {
    var prev = el("button", { type: "button", text: "\u2190 previous" });
    var next = el("button", { type: "button", text: "next \u2192" });
    if (page === 0) prev.disabled = true;
    if (page >= pages - 1) next.disabled = true;
    prev.addEventListener("click", function () { state.page[s.key] = page - 1; render(); });
    next.addEventListener("click", function () { state.page[s.key] = page + 1; render(); });
    return el("div", { cls: "pager" }, [prev, el("span", { text: "page " + (page + 1) + " of " + pages + " (" + num(total) + " shown)" }), next]);
  }

  function render() {
    main.textContent = "";
    spec.sections.forEach(function (s) {
      var total = meta.totals[s.key] || 0;
      if (total === 0) return;
      var node = el("section", { id: "section-" + s.key, "data-section": s.key });
      node.hidden = !state.actions[s.key];
      var list = data[s.key].filter(matches);
      var heading = el("h2", null, [document.createTextNode(s.title + " "), el("small", { text: "(" + num(total) + ")" })]);
      node.appendChild(heading);
      if (s.mode === "summary") {
        groupTable(s).forEach(function (n) { node.appendChild(n); });
        if (total > data[s.key].length) node.appendChild(el("p", { cls: "note", text: "the first " + num(data[s.key].length) + " of " + num(total) + " in full:" }));
      }
      var pages = Math.max(1, Math.ceil(list.length / PAGE));
      var page = Math.min(state.page[s.key] || 0, pages - 1);
      var slice = list.slice(page * PAGE, page * PAGE + PAGE);
      if (list.length === 0) node.appendChild(el("p", { cls: "note", text: "nothing matches the filters" }));
      else if (s.rejects) node.appendChild(rejectTable(slice));
      else slice.forEach(function (e) { node.appendChild(entryCard(s, e)); });
      if (list.length > PAGE) node.appendChild(pager(s, page, pages, list.length));
      main.appendChild(node);
    });
    document.body.dataset.rendered = "yes";
  }
  render();
})();
`
