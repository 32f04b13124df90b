// The dashboard: each card's chart, fetched from the card's JSON endpoint once the page shows,
// and on the page that orders the cards, buttons that move a card up or down.
(() => {
  const colours = ["#0d6efd", "#198754", "#6f42c1", "#fd7e14", "#20c997", "#dc3545", "#6c757d", "#0dcaf0"];

  function draw(canvas, chart) {
    const language = document.documentElement.lang || undefined;
    const number = new Intl.NumberFormat(language, { maximumFractionDigits: chart.money ? 0 : 1 });
    const round = chart.kind === "doughnut";
    const valueAxis = chart.horizontal ? "x" : "y";
    const categoryAxis = chart.horizontal ? "y" : "x";
    return new Chart(canvas, {
      type: chart.kind,
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map((set, index) => ({
          type: set.type || undefined,
          label: set.label,
          data: set.data,
          backgroundColor: round ? colours : colours[index % colours.length],
          borderColor: round ? "#fff" : colours[index % colours.length],
          // Lines drawn over the bars they are compared with.
          order: set.type === "line" ? 0 : 1,
        })),
      },
      options: {
        responsive: true,
        indexAxis: categoryAxis,
        aspectRatio: round ? 2 : 1.8,
        interaction: { mode: round ? "nearest" : "index", intersect: round },
        scales: round
          ? {}
          : {
              [categoryAxis]: { stacked: chart.stacked },
              [valueAxis]: {
                stacked: chart.stacked,
                beginAtZero: true,
                ticks: { callback: (value) => number.format(value) },
              },
            },
        plugins: {
          legend: { position: round ? "right" : "top" },
          tooltip: {
            callbacks: {
              label: (item) => `${item.dataset.label}: ${number.format(round ? item.raw : item.parsed[valueAxis])}`,
            },
          },
        },
      },
    });
  }

  async function load(canvas) {
    try {
      const response = await fetch(canvas.dataset.chartUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(response.statusText);
      const payload = await response.json();
      if (!payload.chart || !payload.chart.labels.length) {
        canvas.closest(".card-body").hidden = true;
      } else {
        draw(canvas, payload.chart);
      }
      canvas.dataset.state = "drawn";
    } catch (error) {
      canvas.dataset.state = "failed";
      canvas.closest(".card-body").hidden = true;
    }
  }

  function renumber(table) {
    table.querySelectorAll(".js-card-position").forEach((input, index) => {
      input.value = index + 1;
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (typeof Chart !== "undefined") {
      document.querySelectorAll("canvas[data-chart-url]").forEach(load);
    }
    const table = document.getElementById("layout-cards");
    if (!table) return;
    table.addEventListener("click", (event) => {
      const button = event.target.closest(".js-move-up, .js-move-down");
      if (!button) return;
      const row = button.closest("tr");
      if (button.classList.contains("js-move-up") && row.previousElementSibling) {
        row.parentNode.insertBefore(row, row.previousElementSibling);
      } else if (button.classList.contains("js-move-down") && row.nextElementSibling) {
        row.parentNode.insertBefore(row.nextElementSibling, row);
      }
      renumber(table);
      button.focus();
    });
  });
})();
