import pytest

from lookup.views import mask_name


@pytest.mark.parametrize(("name", "masked"), [
    ("Nguyễn Văn An", "Nguyễn V*** A**"),
    ("Trần Thị Bích Ngọc", "Trần T*** B*** N**"),
    ("Lê An", "Lê A**"),
    ("Madonna", "M***"),
    ("  Phạm   Thu  Dung ", "Phạm T*** D**"),
    ("", ""),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked
