"""Bad input gets a clear Indonesian message and loses nothing."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from pulih.registry import services
from pulih.registry.error_codes import RegistryError, RegistryErrorCode as E
from pulih.registry.models import Person, Product, ProductPhoto
from pulih.testing.factories import person_data, registration_make, user_make


def _person_post(data: services.PersonData, **override: str) -> dict[str, str]:
    post = {
        "full_name": data.full_name,
        "nik": data.nik,
        "birth_date": data.birth_date.isoformat(),
        "sex": data.sex,
        "phone": data.phone,
        "address": data.address,
        "village_code": data.village_code,
    }
    post.update(override)
    return post


def _jpeg(size: tuple[int, int] = (640, 480), exif_gps: bool = False) -> bytes:
    img = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "S", 2: (6.0, 54.0, 0.0)}  # GPSInfo: where the photo was taken
        img.save(out, format="JPEG", exif=exif)
    else:
        img.save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("327301520385", "16 digit"),
        ("32730152038500AB", "angka"),
        ("9999995203850001", "wilayah"),
        ("3273013203850001", "tanggal"),
        ("3273015203850000", "0000"),
    ],
)
def test_wrong_nik_is_refused_with_a_clear_message_and_nothing_saved(client, nik, message):
    owner = user_make()
    client.force_login(owner)
    response = client.post(reverse("registry:person_edit"), _person_post(person_data(), nik=nik))
    assert response.status_code == 200
    errors = response.content.decode()
    assert 'data-field="nik"' in errors
    assert message.lower() in errors.lower()
    assert not Person.objects.filter(account=owner).exists()


@pytest.mark.django_db
def test_future_birth_date_is_refused(client):
    owner = user_make()
    client.force_login(owner)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("registry:person_edit"), _person_post(person_data(), birth_date=tomorrow)
    )
    page = response.content.decode()
    assert 'data-field="birth_date"' in page and "masa depan" in page.lower()
    assert not Person.objects.filter(account=owner).exists()


@pytest.mark.django_db
def test_birth_date_differing_from_nik_is_kept_but_flagged():
    owner = user_make()
    data = person_data(birth_date=date(1985, 3, 12))
    stated = services.PersonData(**{**data.__dict__, "birth_date": date(1985, 3, 13), "sex": "L"})
    person = services.person_register(actor=owner, data=stated)
    assert person.nik_birth_date_mismatch and person.nik_sex_mismatch


@pytest.mark.django_db
def test_twenty_megabyte_photo_is_refused_and_no_product_is_created(client):
    business = registration_make(submitted=False)
    client.force_login(business.owner.account)
    big = SimpleUploadedFile(
        "besar.jpg", b"\xff\xd8\xff" + b"\0" * (20 * 1024 * 1024), content_type="image/jpeg"
    )
    response = client.post(
        reverse("registry:business_products", args=[business.pk]),
        {"name": "Keripik", "photos": [big]},
    )
    assert response.status_code == 200
    assert "Foto terlalu besar" in response.content.decode()
    assert not Product.objects.filter(business=business).exists()


@pytest.mark.django_db
def test_a_text_file_named_jpg_is_not_accepted_as_a_photo():
    business = registration_make(submitted=False)
    fake = SimpleUploadedFile("foto.jpg", b"<?php echo 'x'; ?>", content_type="image/jpeg")
    with pytest.raises(RegistryError) as exc:
        services.product_create(
            actor=business.owner.account,
            business=business,
            data=services.ProductData(name="X"),
            photos=[fake],
        )
    assert exc.value.code == E.PHOTO_NOT_IMAGE
    assert not Product.objects.filter(business=business).exists()


@pytest.mark.django_db
def test_a_truncated_jpeg_is_refused():
    business = registration_make(submitted=False)
    cut = SimpleUploadedFile("potong.jpg", _jpeg()[:400], content_type="image/jpeg")
    with pytest.raises(RegistryError) as exc:
        services.product_create(
            actor=business.owner.account,
            business=business,
            data=services.ProductData(name="X"),
            photos=[cut],
        )
    assert exc.value.code == E.PHOTO_NOT_IMAGE


@pytest.mark.django_db
def test_photos_are_reencoded_without_location_data(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    business = registration_make(submitted=False)
    upload = SimpleUploadedFile(
        "dapur.jpg", _jpeg((3000, 2000), exif_gps=True), content_type="image/jpeg"
    )
    product = services.product_create(
        actor=business.owner.account,
        business=business,
        data=services.ProductData(name="Kue"),
        photos=[upload],
    )
    photo = ProductPhoto.objects.get(product=product)
    with Image.open(photo.image.path) as stored:
        assert max(stored.size) == services.PHOTO_MAX_SIDE
        assert 0x8825 not in stored.getexif()
    assert "dapur" not in photo.image.name


@pytest.mark.django_db
def test_html_in_a_business_name_is_stored_as_text_and_rendered_escaped(client):
    payload = '<script>alert("x")</script><b>Warung</b>'
    business = registration_make(submitted=False)
    owner = business.owner.account
    business = services.business_update(
        actor=owner,
        business=business,
        data=services.BusinessData(
            name=payload,
            kbli_section="I",
            address="Jl. Braga No. 1",
            village_code="32.73.01.1001",
            capital=5_000_000,
        ),
    )
    business.refresh_from_db()
    assert business.name == payload
    client.force_login(owner)
    page = client.get(reverse("registry:business_detail", args=[business.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;Warung&lt;/b&gt;" in page
    assert payload not in page


@pytest.mark.django_db
def test_above_menengah_business_is_refused_with_message(client):
    business = registration_make(submitted=False)
    client.force_login(business.owner.account)
    response = client.post(
        reverse("registry:business_edit", args=[business.pk]),
        {
            "name": "Pabrik Besar",
            "kbli_section": "C",
            "employees": "500",
            "pandemic_impact": "none",
            "address": "Jl. Industri",
            "village_code": "32.73.01.1001",
            "capital": "Rp20.000.000.000",
        },
    )
    page = response.content.decode()
    assert 'data-field="capital"' in page
    business.refresh_from_db()
    assert business.name != "Pabrik Besar"


@pytest.mark.django_db
def test_a_small_file_that_decodes_to_a_huge_bitmap_is_refused():
    business = registration_make(submitted=False)
    out = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(out, format="PNG")  # 50 MP, a few kB on disk
    bomb = SimpleUploadedFile("bom.png", out.getvalue(), content_type="image/png")
    assert bomb.size < 100_000
    with pytest.raises(RegistryError) as exc:
        services.product_create(
            actor=business.owner.account,
            business=business,
            data=services.ProductData(name="X"),
            photos=[bomb],
        )
    assert exc.value.code == E.PHOTO_TOO_LARGE
    assert not Product.objects.filter(business=business).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"kbli_section": "Z"}, E.KBLI_UNKNOWN),
        ({"ekraf_subsector": "sulap"}, E.EKRAF_UNKNOWN),
        ({"monthly_turnover": -5}, E.AMOUNT_NEGATIVE),
        ({"employees": -1}, E.AMOUNT_NEGATIVE),
        ({"name": "   "}, E.FIELD_REQUIRED),
        ({"name": "W" * 151}, E.FIELD_TOO_LONG),
        ({"pandemic_impact": "bangkrut"}, E.CHOICE_INVALID),
        ({"online_channels": ("friendster",)}, E.CHOICE_INVALID),
    ],
)
def test_business_fields_are_checked_by_the_service_not_the_database(override, code):
    from pulih.testing.factories import business_data

    business = registration_make(submitted=False)
    with pytest.raises(RegistryError) as exc:
        services.business_update(
            actor=business.owner.account, business=business, data=business_data(**override)
        )
    assert exc.value.code == code
    assert exc.value.message  # a readable sentence, not a database error


@pytest.mark.django_db
def test_negative_product_price_is_refused():
    business = registration_make(submitted=False)
    with pytest.raises(RegistryError) as exc:
        services.product_create(
            actor=business.owner.account,
            business=business,
            data=services.ProductData(name="Kue", price=-1),
        )
    assert exc.value.code == E.AMOUNT_NEGATIVE
