"""The demo on the bundled Factbook: capitals near capitals, countries near countries,
and the two groups apart along the first principal component."""

import numpy as np

from embed.demo import run_demo


def test_demo_separates_capitals_from_countries(tmp_path, capsys):
    result = run_demo(str(tmp_path), progress=False)
    out = capsys.readouterr().out
    assert "nearest neighbours" in out and "analogies" in out
    assert result["capital_share"] > 0.5 and result["country_share"] > 0.5
    assert (tmp_path / "capitals.png").stat().st_size > 20_000
    projection = result["projection"]
    half = len(projection.words) // 2
    countries, capitals = projection.points[:half, 0], projection.points[half:, 0]
    sign = np.sign(countries.mean() - capitals.mean())
    midpoint = (countries.mean() + capitals.mean()) / 2
    right_side = np.concatenate([sign * (countries - midpoint) > 0, sign * (capitals - midpoint) < 0])
    assert right_side.mean() >= 0.9
