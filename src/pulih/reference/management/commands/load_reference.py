"""`pulih load_reference`: regions from idn-area-data plus the KBLI and ekraf fixtures."""

from django.core.management.base import BaseCommand

from pulih.reference.services import reference_fixtures_load, regions_load


class Command(BaseCommand):
    help = "Muat data rujukan: wilayah Kemendagri (idn-area-data), kategori KBLI 2020, subsektor ekraf."

    def handle(self, *args: object, **options: object) -> None:
        result = regions_load()
        reference_fixtures_load()
        self.stdout.write(
            f"Wilayah: {result.provinces} provinsi, {result.cities} kabupaten/kota, "
            f"{result.districts} kecamatan, {result.villages} kelurahan/desa. "
            "KBLI 2020: 21 kategori. Subsektor ekraf: 17."
        )
