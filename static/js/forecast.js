// The forecast chart: pipeline, weighted and won amounts per month, read from the page's JSON.
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("forecast-chart");
  const source = document.getElementById("forecast-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = { pipeline: "#0d6efd", weighted: "#6f42c1", won: "#198754" };
  const language = document.documentElement.lang || undefined;
  const money = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.datasets.map((set) => ({
        type: set.key === "won" ? "line" : "bar",
        label: set.label,
        data: set.data,
        backgroundColor: colours[set.key],
        borderColor: colours[set.key],
        order: set.key === "won" ? 0 : 1,
      })),
    },
    options: {
      responsive: true,
      aspectRatio: window.matchMedia("(max-width: 576px)").matches ? 1.2 : 2.2,
      interaction: { mode: "index", intersect: false },
      scales: { y: { beginAtZero: true, ticks: { callback: (value) => money.format(value) } } },
      plugins: {
        legend: { labels: { sort: (a, b) => a.datasetIndex - b.datasetIndex } },
        tooltip: {
          callbacks: { label: (item) => `${item.dataset.label}: ${money.format(item.parsed.y)}` },
        },
      },
    },
  });
});
