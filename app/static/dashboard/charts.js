/* Hand-drawn SVG charts for the command-center dashboard: horizontal bars, grouped columns and a
   donut. No library, nothing from the network; every value drawn carries data-figure="<name>" so the
   figure shown can be read back (and checked against the API). */
"use strict";

const Charts = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const COLOURS = { filed: "#3fa9f5", closed: "#41c47b", zb: "#f5b83f", soon: "#f5b83f", over: "#f25c54", simple: "#41c47b", ordinary: "#3fa9f5", bar: "#3fa9f5" };

  function el(name, attrs, text) {
    const node = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function canvas(container, width, height) {
    container.querySelectorAll("svg, .legend, .empty").forEach((node) => node.remove());
    const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
    container.appendChild(svg);
    return svg;
  }

  function empty(container, text) {
    container.querySelectorAll("svg, .legend, .empty").forEach((node) => node.remove());
    const p = document.createElement("p");
    p.className = "empty";
    p.textContent = text || "暂无数据 · nothing to show";
    container.appendChild(p);
  }

  function legend(container, entries) {
    const div = document.createElement("div");
    div.className = "legend";
    for (const [cls, text] of entries) {
      const span = document.createElement("span");
      const swatch = document.createElement("span");
      swatch.className = `swatch ${cls}`;
      span.append(swatch, text);
      div.appendChild(span);
    }
    container.appendChild(div);
  }

  /* items: [{label, value, figure}] drawn as labelled horizontal bars, longest first as given. */
  function bars(container, items, options = {}) {
    if (!items.length) return empty(container);
    const rowHeight = 30, labelWidth = options.labelWidth || 120, width = 440;
    const svg = canvas(container, width, items.length * rowHeight + 8);
    const max = Math.max(1, ...items.map((item) => item.value));
    items.forEach((item, i) => {
      const y = i * rowHeight + 4;
      const length = ((width - labelWidth - 50) * item.value) / max;
      svg.appendChild(el("text", { x: labelWidth - 8, y: y + 21, "text-anchor": "end" }, item.label));
      svg.appendChild(el("rect", { x: labelWidth, y: y + 4, width: Math.max(length, 1), height: rowHeight - 8, fill: options.colour || COLOURS.bar, rx: 3 }));
      svg.appendChild(el("text", { x: labelWidth + length + 8, y: y + 21, "data-figure": item.figure }, String(item.value)));
    });
  }

  /* labels along x; series: [{key, name, values}] drawn side by side per label. */
  function columns(container, labels, series, options = {}) {
    if (!labels.length) return empty(container);
    const width = options.width || 900, height = options.height || 250, left = 44, bottom = 30, top = 10;
    const svg = canvas(container, width, height);
    const max = Math.max(1, ...series.flatMap((s) => s.values));
    const plot = height - bottom - top, step = (width - left) / labels.length;
    const barWidth = Math.max(2, (step * 0.8) / series.length);
    for (const fraction of [0, 0.5, 1]) {
      const y = top + plot - plot * fraction;
      svg.appendChild(el("line", { x1: left, x2: width, y1: y, y2: y, class: "axis" }));
      svg.appendChild(el("text", { x: left - 6, y: y + 5, "text-anchor": "end", class: "muted" }, String(Math.round(max * fraction))));
    }
    labels.forEach((label, i) => {
      const x0 = left + i * step + step * 0.1;
      series.forEach((s, j) => {
        const value = s.values[i];
        const h = (plot * value) / max;
        const rect = el("rect", { x: x0 + j * barWidth, y: top + plot - h, width: barWidth - 1, height: Math.max(h, 0), fill: COLOURS[s.key] || COLOURS.bar, "data-figure": `${options.figure}/${s.key}/${label}`, "data-value": String(value) });
        rect.appendChild(el("title", {}, `${label} ${s.name}: ${value}`));
        svg.appendChild(rect);
      });
      if (labels.length <= 12 || i % Math.ceil(labels.length / 12) === 0) {
        svg.appendChild(el("text", { x: x0 + (barWidth * series.length) / 2, y: height - bottom + 20, "text-anchor": "middle", class: "muted" }, options.short ? options.short(label) : label));
      }
    });
    legend(container, series.map((s) => [`s-${s.legend || s.key}`, s.name]));
  }

  /* parts: [{key, label, value}] as a donut with each share in the legend. */
  function donut(container, parts, figure) {
    const total = parts.reduce((sum, p) => sum + p.value, 0);
    if (!total) return empty(container);
    const svg = canvas(container, 440, 240);
    const cx = 110, cy = 120, r = 105, inner = 62;
    let angle = -Math.PI / 2;
    parts.forEach((part, i) => {
      const sweep = (2 * Math.PI * part.value) / total;
      const end = angle + Math.min(sweep, 2 * Math.PI - 1e-6);
      const large = sweep > Math.PI ? 1 : 0;
      const p = (a, radius) => `${cx + radius * Math.cos(a)} ${cy + radius * Math.sin(a)}`;
      const d = `M ${p(angle, r)} A ${r} ${r} 0 ${large} 1 ${p(end, r)} L ${p(end, inner)} A ${inner} ${inner} 0 ${large} 0 ${p(angle, inner)} Z`;
      svg.appendChild(el("path", { d, fill: COLOURS[part.key] || COLOURS.bar }));
      const share = ((100 * part.value) / total).toFixed(1);
      svg.appendChild(el("rect", { x: 232, y: 66 + i * 64, width: 16, height: 16, fill: COLOURS[part.key] || COLOURS.bar }));
      svg.appendChild(el("text", { x: 256, y: 80 + i * 64 }, `${part.label}`));
      svg.appendChild(el("text", { x: 256, y: 104 + i * 64, class: "big", "data-figure": `${figure}/${part.key}` }, `${part.value} (${share}%)`));
      angle += sweep;
    });
  }

  return { bars, columns, donut, empty };
})();
