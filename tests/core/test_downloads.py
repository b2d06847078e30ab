from kansrijk.core.downloads import CSV_CONTENT_TYPE, attachment


def test_an_ascii_name_is_sent_as_a_quoted_filename() -> None:
    response = attachment("a;b\r\n", content_type=CSV_CONTENT_TYPE, filename="figures-2024.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="figures-2024.csv"'
    assert response.content == b"a;b\r\n"


def test_a_name_cannot_break_the_header() -> None:
    quoted = attachment(b"", content_type="application/pdf", filename='a"b.pdf')
    accented = attachment(b"", content_type="application/pdf", filename="afspraak-één.pdf")

    assert quoted["Content-Disposition"] == 'attachment; filename="a\\"b.pdf"'
    assert accented["Content-Disposition"] == (
        "attachment; filename*=utf-8''afspraak-%C3%A9%C3%A9n.pdf"
    )
