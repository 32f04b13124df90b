// A report's chart, drawn from the description the page puts in its JSON island.
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("report-chart");
  const source = document.getElementById("report-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  const chart = JSON.parse(source.textContent);
  const colours = ["#0d6efd", "#198754", "#6f42c1", "#fd7e14", "#20c997", "#dc3545", "#6c757d", "#0dcaf0"];
  const language = document.documentElement.lang || undefined;
  const number = new Intl.NumberFormat(language, { maximumFractionDigits: chart.money ? 0 : 1 });
  const valueAxis = chart.horizontal ? "x" : "y";
  const categoryAxis = chart.horizontal ? "y" : "x";
  new Chart(canvas, {
    type: chart.kind,
    data: {
      labels: chart.labels,
      datasets: chart.datasets.map((set, index) => ({
        type: set.type || undefined,
        label: set.label,
        data: set.data,
        backgroundColor: colours[index % colours.length],
        borderColor: colours[index % colours.length],
        // Lines drawn over the bars they are compared with.
        order: set.type === "line" ? 0 : 1,
      })),
    },
    options: {
      responsive: true,
      indexAxis: categoryAxis,
      aspectRatio: window.matchMedia("(max-width: 576px)").matches ? 1.2 : 2.6,
      interaction: { mode: "index", intersect: false },
      scales: {
        [categoryAxis]: { stacked: chart.stacked },
        [valueAxis]: { stacked: chart.stacked, beginAtZero: true, ticks: { callback: (value) => number.format(value) } },
      },
      plugins: {
        tooltip: {
          callbacks: { label: (item) => `${item.dataset.label}: ${number.format(item.raw)}` },
        },
      },
    },
  });
});
