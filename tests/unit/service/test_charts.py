"""Bar chart geometry: widths in proportion to the scale, rows stacked, long labels cut."""

from service.charts import ROW_HEIGHT, WIDTH, ChartRow, bar_chart


def test_bars_are_in_proportion_and_stacked() -> None:
    chart = bar_chart(
        "votes",
        "Votes",
        "A summary",
        [ChartRow("A", 40, "40", True), ChartRow("B", 10, "10"), ChartRow("C", 0, "0")],
        scale=40,
    )
    assert [b.width for b in chart.bars] == [f"{WIDTH:.2f}", f"{WIDTH / 4:.2f}", "0.00"]
    assert [b.selected for b in chart.bars] == [True, False, False]
    assert chart.height == 3 * ROW_HEIGHT
    assert [b.bar_y - b.label_y for b in chart.bars] == [7, 7, 7]
    assert chart.bars[1].label_y - chart.bars[0].label_y == ROW_HEIGHT


def test_the_scale_never_cuts_a_bar_and_labels_are_shortened() -> None:
    title = "A very long project title that would run into the value"
    chart = bar_chart("b", "t", "s", [ChartRow(title, 150, "150")], scale=100)
    (bar,) = chart.bars
    assert bar.width == f"{WIDTH:.2f}"
    assert bar.full_label == title
    assert bar.label.endswith("…")
    assert len(bar.label) <= 28
    empty = bar_chart("e", "t", "s", [], scale=0)
    assert empty.bars == ()
    assert empty.height == ROW_HEIGHT
