"""dashboard.validation on frames made here: what pandera reports about a whole column (not a
row) is named too, without leaving any row out."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from dashboard import validation
from dashboard.problems import Collector


def test_a_column_of_the_wrong_type_is_reported_not_raised() -> None:
    schema = pa.DataFrameSchema({"n": pa.Column("Int64")})
    text = pd.DataFrame({"n": [1.5, 2.0], "_row": [2, 3]})  # numbers already, not text
    out = Collector()
    kept = validation.conform("x.csv", text, schema, out)
    (problem,) = out.problems
    assert (problem.file, problem.row, problem.field) == ("x.csv", None, "n")
    assert "dtype('Int64')" in problem.message and "float64" in problem.message
    assert list(kept["row"]) == [2, 3]
