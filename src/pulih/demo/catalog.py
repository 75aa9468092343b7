"""Word lists and business kinds that make the synthetic demo data read like a real registry."""

from dataclasses import dataclass

# Common given names of Indonesians born 1955-2004 that Faker's id_ID lists lack or hold only
# once among hundreds of rare ones; mixed in so that a demo list looks like a kelurahan's.
COMMON_MALE_NAMES = (
    "Agus", "Bambang", "Budi", "Dedi", "Eko", "Joko", "Slamet", "Sutrisno", "Suparman",
    "Wahyu", "Asep", "Ujang", "Dadang", "Hendra", "Rudi", "Yanto", "Heru", "Sugeng",
    "Supriyadi", "Iwan", "Andi", "Rahmat", "Ahmad", "Abdul", "Ari", "Dodi", "Hadi",
    "Darto", "Purnomo", "Tatang",
)  # fmt: skip
COMMON_FEMALE_NAMES = (
    "Sri", "Siti", "Sari", "Yanti", "Nining", "Euis", "Tuti", "Sumiati", "Suyatmi", "Wati",
    "Nur", "Dewi", "Rina", "Lilis", "Ratna", "Yuli", "Endang", "Sulastri", "Ningsih",
    "Murni", "Aminah", "Fatimah", "Nurhayati", "Ika", "Lina", "Neneng", "Iis", "Erna",
    "Ani", "Tini",
)  # fmt: skip

# DOMAIN.md: Muhammad is written in all these ways; the weights are a guess at how often.
MUHAMMAD_VARIANTS = (
    ("Muhammad", 40), ("Mohammad", 12), ("Mohamad", 8), ("Mochammad", 8), ("Muhamad", 8),
    ("Moch", 8), ("Moh", 6), ("Muh", 4), ("Mhd", 2), ("M.", 4),
)  # fmt: skip
DEGREE_SUFFIXES = ("S.E.", "S.Pd.", "S.Kom.", "S.H.", "S.Sos.", "S.T.", "A.Md.", "M.M.", "S.Ag.")
OLD_ACADEMIC_PREFIX = {"L": ("Drs.", "Ir."), "P": ("Dra.", "Ir.")}
HAJJ_PREFIX = {"L": "H.", "P": "Hj."}

# How a neighbour names the owner of a small shop, by province (Sundanese in Jawa Barat):
# two ways for an older owner, then the one for a young owner.
HONORIFICS = {
    "32": {"L": ("Pak", "Mang", "Kang"), "P": ("Bu", "Ceu", "Teh")},
    "default": {"L": ("Pak", "Pak", "Mas"), "P": ("Bu", "Bu", "Mbak")},
}

EXTRA_STREETS = (
    "Merdeka", "Pahlawan", "Diponegoro", "Gatot Subroto", "Kartini", "Pemuda", "Veteran",
    "Melati", "Mawar", "Kenanga", "Anggrek", "Cempaka Putih", "Flamboyan", "Masjid",
    "Raya Pasar", "Kebon Jeruk", "Kali Baru", "Manggis", "Rambutan", "Nangka", "Sawo",
    "Teratai", "Dahlia", "Swadaya", "Gotong Royong", "Bhayangkara", "Pramuka", "Pendidikan",
    "Sukun", "Delima", "Asem Baris", "Kramat", "Bungur", "Mangga Besar", "Pesantren",
)  # fmt: skip
HOUSING_NAMES = (
    "Griya Asri",
    "Bumi Indah",
    "Taman Sari",
    "Puri Harapan",
    "Graha Permai",
    "Villa Mutiara",
)
BIRTH_PLACES_BY_PROVINCE = {
    "31": ("Jakarta", "Jakarta", "Jakarta", "Bogor", "Bekasi", "Tegal", "Padang", "Medan", "Cirebon"),
    "32": ("Bandung", "Bandung", "Bandung", "Garut", "Tasikmalaya", "Cianjur", "Sumedang", "Ciamis"),
    "33": ("Semarang", "Solo", "Klaten", "Boyolali", "Pekalongan", "Tegal", "Kudus", "Magelang", "Banyumas", "Pati"),
}  # fmt: skip
NAME_WORDS = (
    "Berkah", "Barokah", "Sejahtera", "Makmur", "Jaya", "Sumber Rejeki", "Mandiri", "Sentosa",
    "Abadi", "Maju Jaya", "Lestari", "Amanah", "Cahaya", "Mulia", "Harapan", "Sinar Terang",
    "Mekar Sari", "Rizki", "Putra", "Putri", "Sehati", "Bersama", "Karya", "Prima",
)  # fmt: skip
CAFE_FIRST = (
    "Kenangan",
    "Senja",
    "Rindu",
    "Teduh",
    "Kisah",
    "Cerita",
    "Ruang",
    "Sudut",
    "Langit",
    "Temu",
)
CAFE_SECOND = (
    "Senja",
    "Pagi",
    "Kita",
    "Kota",
    "Hujan",
    "Rasa",
    "Kawan",
    "Nusantara",
    "Sore",
    "Lama",
)

MOBILE_PREFIXES = (
    ("0811", 4), ("0812", 10), ("0813", 10), ("0821", 8), ("0822", 8), ("0823", 4), ("0851", 2),
    ("0852", 8), ("0853", 4), ("0814", 1), ("0815", 2), ("0816", 2), ("0855", 1), ("0856", 5),
    ("0857", 6), ("0858", 3), ("0817", 3), ("0818", 2), ("0819", 3), ("0859", 2), ("0877", 4),
    ("0878", 4), ("0831", 1), ("0838", 2), ("0895", 3), ("0896", 3), ("0897", 1), ("0898", 1),
    ("0899", 1), ("0881", 1), ("0882", 1), ("0887", 1), ("0888", 1),
)  # fmt: skip
EMAIL_DOMAINS = (("gmail.com", 85), ("yahoo.co.id", 8), ("yahoo.com", 5), ("ymail.com", 2))

# Postcode prefixes (first two digits) by province: Jakarta 10-14, Jawa Barat 40-46, and so on.
POSTCODE_PREFIXES = {
    "11": (23, 24), "12": (20, 22), "13": (25, 27), "14": (28, 29), "15": (36, 37), "16": (30, 32),
    "17": (38, 39), "18": (34, 35), "19": (33, 33), "21": (29, 29), "31": (10, 14), "32": (40, 46),
    "33": (50, 59), "34": (55, 55), "35": (60, 69), "36": (15, 15), "51": (80, 82), "52": (83, 84),
    "53": (85, 87), "61": (78, 79), "62": (73, 74), "63": (70, 72), "64": (75, 77), "65": (77, 77),
    "71": (95, 95), "72": (94, 94), "73": (90, 92), "74": (93, 93), "75": (96, 96), "76": (91, 91),
    "81": (97, 97), "82": (97, 97), "91": (98, 98), "92": (98, 98), "94": (99, 99),
}  # fmt: skip

# Registration status mix for the demo: weights, and the officers' reasons where one is needed.
STATUS_WEIGHTS = (
    ("verified", 55),
    ("submitted", 25),
    ("needs_fix", 5),
    ("draft", 10),
    ("rejected", 5),
)
NEEDS_FIX_REASONS = (
    "Foto KTP buram, mohon unggah ulang dengan pencahayaan yang cukup.",
    "Alamat usaha belum lengkap: RT/RW dan nomor rumah belum diisi.",
    "Nama usaha berbeda dengan yang tercantum pada NIB, mohon periksa kembali.",
    "Foto produk belum diunggah.",
    "Nomor HP tidak dapat dihubungi, mohon perbarui.",
    "Uraian usaha terlalu singkat; jelaskan produk yang dijual dan cara menjualnya.",
    "Modal usaha dan omzet tidak sesuai dengan skala usaha yang dipilih.",
)
REJECTED_REASONS = (
    "Berdasarkan verifikasi lapangan, usaha sudah tidak beroperasi.",
    "Pemilik terdaftar sebagai ASN sehingga tidak memenuhi syarat program.",
    "Data ganda: pemilik sudah terdaftar dengan usaha yang sama.",
    "Lokasi usaha berada di luar wilayah program.",
    "Dokumen pendukung tidak dapat diverifikasi setelah dua kali permintaan perbaikan.",
)
PANDEMIC_IMPACT_WEIGHTS = (
    ("turnover_down", 50), ("none", 20), ("temporarily_closed", 15), ("workers_laid_off", 10), ("closed", 5),
)  # fmt: skip
PANDEMIC_NOTES = {
    "turnover_down": (
        "Omzet turun sekitar separuh selama PPKM.",
        "Pembeli berkurang karena sekolah dan kantor tutup.",
        "Pesanan acara dan hajatan dibatalkan.",
        "Harga bahan baku naik, penjualan turun.",
    ),
    "temporarily_closed": (
        "Tutup tiga bulan saat PSBB 2020.",
        "Sempat tutup karena pemilik terpapar COVID-19.",
        "Tutup selama PPKM darurat, buka kembali Agustus 2021.",
    ),
    "workers_laid_off": (
        "Dua pekerja dirumahkan sejak April 2020.",
        "Karyawan dikurangi dari lima menjadi dua orang.",
    ),
    "closed": ("Berhenti berjualan, sedang mencari modal untuk buka kembali.",),
    "none": ("Penjualan daring justru naik.",),
}


@dataclass(frozen=True)
class ProductKind:
    name: str
    unit: str
    min_price: int
    max_price: int


@dataclass(frozen=True)
class Trade:
    """A kind of small business: its KBLI place, how people name it, what it sells."""

    key: str
    weight_male: float
    weight_female: float
    section: str
    kbli_codes: tuple[str, ...]
    names: tuple[str, ...]  # templates: {hon} {owner} {word} {item} {cafe}
    items: tuple[str, ...]
    ekraf_share: float
    ekraf_subsectors: tuple[str, ...]
    products: tuple[ProductKind, ...]
    descriptions: tuple[str, ...]  # templates: {item} {year}
    sells_food: bool = False


def _p(name: str, unit: str, low: int, high: int) -> ProductKind:
    return ProductKind(name, unit, low, high)


# Weighted towards trade (G), food service (I), manufacturing (C) and other services (S), as
# in the 2020-2021 BPUM and Jakpreneur registrations; food, fashion and craft lead the
# creative economy (about 40% of businesses are pelaku ekraf).
TRADES: tuple[Trade, ...] = (
    Trade(
        "warung_makan",
        8,
        13,
        "I",
        ("56102",),
        (
            "Warung Makan {hon} {owner}",
            "Warung {hon} {owner}",
            "Rumah Makan {word}",
            "Warteg {word}",
            "Warung Nasi {word}",
            "Soto {item} {hon} {owner}",
        ),
        ("Lamongan", "Betawi", "Kudus", "Bandung"),
        0.5,
        ("kuliner",),
        (
            _p("Nasi Rames", "porsi", 12_000, 20_000),
            _p("Nasi Goreng", "porsi", 15_000, 25_000),
            _p("Soto Ayam", "porsi", 15_000, 25_000),
            _p("Ayam Goreng Kremes", "porsi", 18_000, 30_000),
            _p("Es Teh Manis", "gelas", 4_000, 7_000),
            _p("Pecel Lele", "porsi", 15_000, 22_000),
        ),
        (
            "Warung makan rumahan sejak {year}, melayani makan di tempat dan pesan antar.",
            "Masakan rumahan dengan menu harian untuk pekerja sekitar.",
        ),
        sells_food=True,
    ),
    Trade(
        "kedai_kopi",
        4,
        3,
        "I",
        ("56303",),
        ("Kopi {cafe}", "Kedai Kopi {owner}", "Kopi {word}", "Warkop {hon} {owner}"),
        ("Gayo", "Toraja", "Kintamani", "Java Preanger"),
        0.8,
        ("kuliner",),
        (
            _p("Kopi Susu Gula Aren", "gelas", 15_000, 25_000),
            _p("Es Kopi Hitam", "gelas", 10_000, 18_000),
            _p("Kopi {item} 200 g", "bungkus", 45_000, 90_000),
            _p("Roti Bakar", "porsi", 12_000, 22_000),
            _p("Teh Tarik", "gelas", 10_000, 16_000),
        ),
        (
            "Kedai kopi kecil dengan biji kopi {item}, buka sejak {year}.",
            "Menjual kopi seduh dan kopi susu kekinian, juga melayani pesanan daring.",
        ),
        sells_food=True,
    ),
    Trade(
        "makanan_ringan",
        5,
        11,
        "C",
        ("10794", "10793"),
        (
            "Keripik {item} {hon} {owner}",
            "Kerupuk {word}",
            "Rempeyek {hon} {owner}",
            "Camilan {word}",
            "Keripik {item} {word}",
        ),
        ("Tempe", "Singkong", "Pisang", "Talas", "Kentang", "Usus"),
        0.8,
        ("kuliner",),
        (
            _p("Keripik {item} Original 250 g", "bungkus", 10_000, 25_000),
            _p("Keripik {item} Balado 250 g", "bungkus", 12_000, 28_000),
            _p("Rempeyek Kacang", "toples", 20_000, 40_000),
            _p("Kerupuk Bawang 500 g", "bungkus", 15_000, 30_000),
            _p("Makaroni Pedas", "bungkus", 5_000, 15_000),
        ),
        (
            "Produksi keripik {item} rumahan sejak {year}, dijual ke warung sekitar dan secara daring.",
            "Camilan khas daerah tanpa pengawet, dikemas ulang dengan label sendiri.",
        ),
    ),
    Trade(
        "kue",
        3,
        9,
        "C",
        ("10710",),
        (
            "Kue {word} {hon} {owner}",
            "Dapur {owner}",
            "{owner} Bakery",
            "Roti {word}",
            "Kue Basah {hon} {owner}",
        ),
        ("Pandan", "Cokelat", "Keju", "Gula Merah"),
        0.8,
        ("kuliner",),
        (
            _p("Bolu {item}", "loyang", 35_000, 80_000),
            _p("Nastar", "toples", 60_000, 120_000),
            _p("Kue Lapis Legit", "loyang", 150_000, 350_000),
            _p("Brownies Panggang", "kotak", 40_000, 85_000),
            _p("Kue Basah Campur", "kotak", 25_000, 50_000),
        ),
        (
            "Kue dan roti rumahan sesuai pesanan, ramai menjelang Lebaran.",
            "Usaha kue sejak {year}, menerima pesanan untuk arisan dan hajatan.",
        ),
        sells_food=True,
    ),
    Trade(
        "olahan_pangan",
        2,
        5,
        "C",
        ("10750", "10773"),
        ("Sambal {hon} {owner}", "Frozen Food {word}", "Dapur {word}", "Dimsum {owner}"),
        ("Bawang", "Cumi", "Teri", "Roa"),
        0.7,
        ("kuliner",),
        (
            _p("Sambal {item} 150 ml", "botol", 20_000, 40_000),
            _p("Dimsum Ayam isi 10", "kotak", 25_000, 45_000),
            _p("Nugget Ayam 500 g", "bungkus", 30_000, 55_000),
            _p("Rendang Kemasan 250 g", "bungkus", 50_000, 95_000),
        ),
        ("Olahan pangan beku dan sambal kemasan, dipasarkan lewat media sosial sejak {year}.",),
        sells_food=True,
    ),
    Trade(
        "katering",
        2,
        4,
        "I",
        ("56210",),
        ("Katering {hon} {owner}", "{word} Catering", "Nasi Box {word}"),
        ("Kuning", "Liwet", "Uduk"),
        0.6,
        ("kuliner",),
        (
            _p("Nasi Box", "kotak", 25_000, 45_000),
            _p("Tumpeng Nasi {item}", "buah", 300_000, 750_000),
            _p("Snack Box", "kotak", 10_000, 20_000),
            _p("Prasmanan per Orang", "porsi", 35_000, 65_000),
        ),
        ("Jasa katering untuk kantor, pengajian dan hajatan.",),
        sells_food=True,
    ),
    Trade(
        "kelontong",
        14,
        15,
        "G",
        ("47112",),
        ("Toko {owner}", "Warung Kelontong {hon} {owner}", "Toko Sembako {word}", "Toko {word}"),
        (),
        0.0,
        (),
        (
            _p("Beras Premium 5 kg", "karung", 65_000, 80_000),
            _p("Minyak Goreng 2 L", "pouch", 32_000, 40_000),
            _p("Gula Pasir 1 kg", "bungkus", 15_000, 19_000),
            _p("Telur Ayam 1 kg", "kg", 25_000, 32_000),
            _p("Mi Instan 1 dus", "dus", 100_000, 120_000),
        ),
        (
            "Warung kelontong yang melayani kebutuhan sehari-hari warga sekitar.",
            "Toko sembako sejak {year}, juga agen gas elpiji 3 kg.",
        ),
    ),
    Trade(
        "sayur_buah",
        3,
        5,
        "G",
        ("47211", "47212", "47213"),
        ("Sayur {hon} {owner}", "Buah Segar {word}", "Lapak Sayur {owner}"),
        (),
        0.0,
        (),
        (
            _p("Sayur Sop 1 ikat", "ikat", 4_000, 8_000),
            _p("Cabai Rawit 250 g", "bungkus", 10_000, 25_000),
            _p("Jeruk Medan 1 kg", "kg", 20_000, 30_000),
            _p("Pisang Ambon 1 sisir", "sisir", 20_000, 35_000),
        ),
        ("Berjualan sayur dan buah di pasar pagi, juga melayani pesanan lewat WhatsApp.",),
    ),
    Trade(
        "konter_pulsa",
        5,
        2,
        "G",
        ("47413",),
        ("{word} Cell", "Konter {owner}", "{owner} Phone"),
        (),
        0.0,
        (),
        (
            _p("Pulsa 10.000", "transaksi", 11_000, 12_500),
            _p("Paket Data 10 GB", "transaksi", 55_000, 75_000),
            _p("Casing HP", "buah", 15_000, 45_000),
            _p("Kabel Data", "buah", 15_000, 35_000),
        ),
        ("Konter pulsa, paket data dan aksesori ponsel.",),
    ),
    Trade(
        "pakaian",
        3,
        8,
        "G",
        ("47711",),
        (
            "{owner} Collection",
            "Butik {word}",
            "{word} Hijab",
            "Toko Baju {owner}",
            "Gamis {hon} {owner}",
        ),
        (),
        0.6,
        ("fesyen",),
        (
            _p("Gamis Katun", "potong", 120_000, 250_000),
            _p("Hijab Segi Empat", "lembar", 25_000, 65_000),
            _p("Kaos Polos", "potong", 35_000, 60_000),
            _p("Kemeja Batik", "potong", 90_000, 200_000),
            _p("Mukena Traveling", "set", 100_000, 220_000),
        ),
        ("Menjual pakaian muslim dan hijab, sebagian besar lewat marketplace.",),
    ),
    Trade(
        "konveksi",
        5,
        4,
        "C",
        ("14111",),
        ("Konveksi {word}", "Konveksi {owner}", "{word} Garment", "Sablon {word}"),
        (),
        0.8,
        ("fesyen",),
        (
            _p("Kaos Sablon", "lusin", 360_000, 600_000),
            _p("Seragam Sekolah", "stel", 90_000, 150_000),
            _p("Kemeja PDH", "potong", 120_000, 200_000),
            _p("Jaket Komunitas", "potong", 150_000, 275_000),
        ),
        (
            "Konveksi rumahan dengan beberapa mesin jahit, menerima pesanan seragam dan kaos sejak {year}.",
        ),
    ),
    Trade(
        "batik",
        1,
        2,
        "C",
        ("13134",),
        ("Batik {word}", "Batik {owner}", "Batik Tulis {hon} {owner}"),
        ("Parang", "Kawung", "Megamendung", "Sidomukti"),
        0.9,
        ("fesyen", "kriya"),
        (
            _p("Kain Batik Tulis {item}", "lembar", 350_000, 1_500_000),
            _p("Kain Batik Cap", "lembar", 120_000, 300_000),
            _p("Kemeja Batik {item}", "potong", 150_000, 400_000),
            _p("Selendang Batik", "lembar", 75_000, 180_000),
        ),
        ("Perajin batik tulis dan cap motif {item} sejak {year}.",),
    ),
    Trade(
        "kerajinan",
        3,
        3,
        "C",
        ("16292", "32909"),
        ("Kerajinan {item} {owner}", "{word} Craft", "Anyaman {word}", "Galeri {word}"),
        ("Bambu", "Rotan", "Kayu", "Eceng Gondok", "Kain Perca"),
        0.95,
        ("kriya", "kriya", "desain-produk"),
        (
            _p("Tas Anyaman {item}", "buah", 75_000, 250_000),
            _p("Tempat Tisu {item}", "buah", 35_000, 90_000),
            _p("Vas Bunga", "buah", 50_000, 150_000),
            _p("Gantungan Kunci", "lusin", 30_000, 80_000),
            _p("Keranjang Parsel", "buah", 40_000, 120_000),
        ),
        ("Kerajinan tangan dari {item}, ikut pameran Dekranasda.",),
    ),
    Trade(
        "penjahit",
        2,
        4,
        "S",
        ("95290",),
        ("Penjahit {owner}", "Jahit {word}", "Permak {hon} {owner}"),
        (),
        0.3,
        ("fesyen",),
        (
            _p("Jahit Kebaya", "potong", 250_000, 600_000),
            _p("Permak Celana", "potong", 15_000, 35_000),
            _p("Jahit Kemeja", "potong", 100_000, 200_000),
        ),
        ("Jasa jahit dan permak pakaian di rumah.",),
    ),
    Trade(
        "salon",
        3,
        4,
        "S",
        ("96021", "96022"),
        ("Salon {owner}", "Barbershop {word}", "Pangkas Rambut {word}", "Salon {hon} {owner}"),
        (),
        0.0,
        (),
        (
            _p("Potong Rambut", "kali", 15_000, 50_000),
            _p("Creambath", "kali", 50_000, 100_000),
            _p("Rias Pengantin", "paket", 1_500_000, 5_000_000),
        ),
        ("Salon dan pangkas rambut di rumah sendiri.",),
    ),
    Trade(
        "laundry",
        2,
        3,
        "S",
        ("96012",),
        ("{word} Laundry", "Laundry Kiloan {owner}", "{owner} Laundry"),
        (),
        0.0,
        (),
        (
            _p("Cuci Setrika", "kg", 6_000, 10_000),
            _p("Cuci Bed Cover", "buah", 25_000, 45_000),
            _p("Setrika Saja", "kg", 4_000, 7_000),
        ),
        ("Jasa cuci kiloan dengan antar jemput untuk kos-kosan sekitar.",),
    ),
    Trade(
        "bengkel",
        6,
        1,
        "G",
        ("45405",),
        ("Bengkel {word} Motor", "Bengkel {owner}", "{owner} Motor"),
        (),
        0.0,
        (),
        (
            _p("Ganti Oli", "kali", 45_000, 70_000),
            _p("Servis Ringan", "kali", 60_000, 100_000),
            _p("Tambal Ban", "kali", 10_000, 20_000),
            _p("Kampas Rem", "set", 35_000, 75_000),
        ),
        ("Bengkel motor dan tambal ban di pinggir jalan.",),
    ),
    Trade(
        "percetakan",
        2,
        1,
        "C",
        ("18111",),
        ("{word} Printing", "Percetakan {word}", "{owner} Digital Printing"),
        (),
        0.5,
        ("desain-komunikasi-visual", "periklanan"),
        (
            _p("Cetak Banner", "meter", 20_000, 35_000),
            _p("Kartu Nama", "kotak", 35_000, 75_000),
            _p("Undangan Pernikahan", "lembar", 2_500, 8_000),
            _p("Stiker Label Produk", "lembar", 5_000, 15_000),
        ),
        ("Percetakan digital: banner, undangan dan label kemasan UMKM.",),
    ),
    Trade(
        "fotografi",
        1,
        0.5,
        "M",
        ("74201",),
        ("{word} Studio Foto", "{owner} Photography", "Studio {word}"),
        (),
        1.0,
        ("fotografi", "film-animasi-video"),
        (
            _p("Foto Wisuda", "paket", 150_000, 400_000),
            _p("Foto Produk UMKM", "paket", 200_000, 750_000),
            _p("Dokumentasi Pernikahan", "paket", 2_000_000, 7_500_000),
        ),
        ("Jasa foto dan video untuk acara keluarga dan produk UMKM.",),
    ),
    Trade(
        "jasa_digital",
        1,
        0.5,
        "J",
        ("62019", "63122"),
        ("{word} Digital", "{word} Kreatif", "{owner} Studio"),
        (),
        1.0,
        ("aplikasi", "desain-komunikasi-visual", "periklanan"),
        (
            _p("Pembuatan Website", "paket", 1_500_000, 6_000_000),
            _p("Desain Logo", "paket", 250_000, 1_000_000),
            _p("Kelola Media Sosial", "bulan", 750_000, 2_500_000),
        ),
        ("Jasa desain dan pembuatan situs web untuk usaha kecil.",),
    ),
    Trade(
        "peternakan",
        3,
        1,
        "A",
        ("03226", "01462"),
        ("Ternak Lele {owner}", "Peternakan Ayam {owner}", "Kebun {word}"),
        (),
        0.0,
        (),
        (
            _p("Lele Segar", "kg", 20_000, 28_000),
            _p("Telur Ayam Kampung", "butir", 2_500, 4_000),
            _p("Bibit Cabai", "polybag", 1_000, 3_000),
            _p("Ayam Kampung Hidup", "ekor", 60_000, 100_000),
        ),
        ("Budidaya di pekarangan rumah, dijual ke pengepul dan tetangga.",),
    ),
    Trade(
        "jamu",
        0.5,
        2,
        "C",
        ("21022",),
        ("Jamu {hon} {owner}", "Jamu Gendong {word}", "Herbal {word}"),
        (),
        0.5,
        ("kuliner",),
        (
            _p("Kunyit Asam", "botol", 8_000, 15_000),
            _p("Beras Kencur", "botol", 8_000, 15_000),
            _p("Wedang Jahe Instan", "bungkus", 15_000, 30_000),
        ),
        ("Jamu tradisional resep keluarga, dijual keliling dan pesan antar.",),
        sells_food=True,
    ),
    Trade(
        "angkutan",
        2,
        0.2,
        "H",
        ("49431",),
        ("Jasa Angkut {owner}", "Pindahan {word}", "Ekspedisi {word}"),
        (),
        0.0,
        (),
        (
            _p("Sewa Pikap Dalam Kota", "trip", 200_000, 400_000),
            _p("Jasa Pindahan Rumah", "paket", 500_000, 1_500_000),
        ),
        ("Jasa angkut barang dengan mobil bak terbuka.",),
    ),
    Trade(
        "bimbel",
        0.5,
        1,
        "P",
        ("85499",),
        ("Bimbel {word}", "Les Privat {owner}", "Rumah Belajar {word}"),
        (),
        0.0,
        (),
        (
            _p("Les Calistung", "bulan", 150_000, 300_000),
            _p("Bimbel SD", "bulan", 200_000, 400_000),
            _p("Les Mengaji", "bulan", 50_000, 150_000),
        ),
        ("Bimbingan belajar untuk anak sekolah di sekitar rumah.",),
    ),
    Trade(
        "sanggar",
        0.5,
        0.5,
        "R",
        ("90002",),
        ("Sanggar {word}", "Sanggar Tari {owner}", "Grup Musik {word}"),
        ("Jaipong", "Kecak", "Saman", "Gamelan"),
        1.0,
        ("seni-pertunjukan", "musik"),
        (
            _p("Pentas Tari {item}", "pertunjukan", 1_000_000, 3_500_000),
            _p("Sewa Kostum Tari", "set", 75_000, 200_000),
            _p("Kelas Tari Anak", "bulan", 100_000, 250_000),
        ),
        ("Sanggar seni yang mengisi acara hajatan dan festival kota.",),
    ),
)

# Online channels: how likely a business sells on each, and only food sellers on food apps.
CHANNEL_SHARES = (
    ("whatsapp", 0.55), ("instagram", 0.3), ("facebook", 0.25), ("shopee", 0.25), ("tokopedia", 0.18),
    ("tiktok", 0.12), ("bukalapak", 0.04), ("blibli", 0.02), ("website", 0.03),
)  # fmt: skip
FOOD_CHANNEL_SHARES = (("gofood", 0.3), ("grabfood", 0.22))
