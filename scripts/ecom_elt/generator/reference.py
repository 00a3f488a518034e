"""Reference data the generator draws from: countries, names, catalogue vocabulary, web traffic
mix and API endpoints.

Everything here is a plain constant with weights, so the mix the sample shows (device split,
traffic sources, error rates ...) can be read and changed in one place. The SQL never spells a
value out: these lists are bound into DuckDB as session variables (see `randomness.py`).
"""

from __future__ import annotations

# The fixed exchange rates of the contract (EUR per unit of the currency).
CURRENCIES: dict[str, float] = {"EUR": 1.00, "USD": 0.92, "GBP": 1.17}

# code, share of customers, currency, cities (UTF-8 on purpose: the contract is UTF-8).
COUNTRIES: list[tuple[str, float, str, list[str]]] = [
    ("DE", 0.27, "EUR", ["Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Leipzig"]),
    ("FR", 0.14, "EUR", ["Paris", "Lyon", "Marseille", "Toulouse", "Nantes"]),
    ("GB", 0.12, "GBP", ["London", "Manchester", "Birmingham", "Leeds", "Glasgow"]),
    ("US", 0.10, "USD", ["New York", "Chicago", "Austin", "Seattle", "Boston"]),
    ("NL", 0.08, "EUR", ["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"]),
    ("IT", 0.07, "EUR", ["Milano", "Roma", "Torino", "Bologna"]),
    ("ES", 0.06, "EUR", ["Madrid", "Barcelona", "Valencia", "Sevilla"]),
    ("AT", 0.05, "EUR", ["Wien", "Graz", "Linz", "Salzburg"]),
    ("BE", 0.04, "EUR", ["Bruxelles", "Antwerpen", "Gent", "Liège"]),
    ("PL", 0.04, "EUR", ["Warszawa", "Kraków", "Wrocław", "Gdańsk"]),
    ("IE", 0.03, "EUR", ["Dublin", "Cork", "Galway"]),
]

# (display form, ASCII form for e-mail addresses)
FIRST_NAMES: list[tuple[str, str]] = [
    ("Anna", "anna"),
    ("Lukas", "lukas"),
    ("Marie", "marie"),
    ("Jonas", "jonas"),
    ("Sophie", "sophie"),
    ("Léa", "lea"),
    ("Hugo", "hugo"),
    ("Chloé", "chloe"),
    ("Oliver", "oliver"),
    ("Amelia", "amelia"),
    ("Jack", "jack"),
    ("Isla", "isla"),
    ("Emma", "emma"),
    ("Noah", "noah"),
    ("Liam", "liam"),
    ("Olivia", "olivia"),
    ("Daan", "daan"),
    ("Sanne", "sanne"),
    ("Giulia", "giulia"),
    ("Lorenzo", "lorenzo"),
    ("Lucía", "lucia"),
    ("Mateo", "mateo"),
    ("Zoë", "zoe"),
    ("Jakub", "jakub"),
    ("Zofia", "zofia"),
    ("Seán", "sean"),
    ("Aoife", "aoife"),
    ("Felix", "felix"),
    ("Mila", "mila"),
    ("Elias", "elias"),
    ("Nora", "nora"),
    ("Björn", "bjorn"),
]
LAST_NAMES: list[tuple[str, str]] = [
    ("Müller", "mueller"),
    ("Schmidt", "schmidt"),
    ("Schneider", "schneider"),
    ("Fischer", "fischer"),
    ("Weber", "weber"),
    ("Martin", "martin"),
    ("Bernard", "bernard"),
    ("Dubois", "dubois"),
    ("Lefèvre", "lefevre"),
    ("Smith", "smith"),
    ("Jones", "jones"),
    ("Taylor", "taylor"),
    ("O'Brien", "obrien"),
    ("Johnson", "johnson"),
    ("Garcia", "garcia"),
    ("de Jong", "dejong"),
    ("Jansen", "jansen"),
    ("Rossi", "rossi"),
    ("Bianchi", "bianchi"),
    ("García", "garcia"),
    ("Fernández", "fernandez"),
    ("Gruber", "gruber"),
    ("Huber", "huber"),
    ("Peeters", "peeters"),
    ("Nowak", "nowak"),
    ("Kowalski", "kowalski"),
    ("Murphy", "murphy"),
    ("Walsh", "walsh"),
    ("Wagner", "wagner"),
    ("Becker", "becker"),
    ("Hoffmann", "hoffmann"),
    ("Novák", "novak"),
]
EMAIL_DOMAINS: list[str] = ["example.com", "example.org", "example.net", "mail.example"]

# category, share of the catalogue, median price EUR, subcategories, brands, nouns,
# attribute keys the category's products carry.
CATEGORIES: list[tuple[str, float, float, list[str], list[str], list[str], tuple[str, ...]]] = [
    (
        "electronics",
        0.14,
        89.0,
        ["audio", "phones", "computers", "cameras", "smart home"],
        ["Voltix", "Nordtek", "Sonaro", "Pixelon"],
        ["Headphones", "Speaker", "Charger", "Webcam", "Smartwatch", "Keyboard"],
        ("color", "weight_kg"),
    ),
    (
        "fashion",
        0.20,
        39.0,
        ["shirts", "trousers", "shoes", "jackets", "accessories"],
        ["Maison Lune", "Urbanfit", "Kodiak", "Frøya"],
        ["Shirt", "Jeans", "Sneakers", "Jacket", "Scarf", "Dress"],
        ("color", "size"),
    ),
    (
        "home",
        0.14,
        34.0,
        ["kitchen", "bedding", "decor", "storage", "lighting"],
        ["Casa Viva", "Hjem", "Ollaria"],
        ["Pan", "Duvet", "Vase", "Lamp", "Shelf", "Mug Set"],
        ("color", "weight_kg"),
    ),
    (
        "beauty",
        0.10,
        17.0,
        ["skincare", "haircare", "make-up", "fragrance"],
        ["Lumière", "Verdant", "Aurelle"],
        ["Serum", "Shampoo", "Lipstick", "Eau de Parfum", "Face Cream"],
        ("size",),
    ),
    (
        "sports",
        0.11,
        44.0,
        ["running", "fitness", "outdoor", "cycling", "swimming"],
        ["Stridex", "Alpenweg", "Kinetik"],
        ["Running Shoes", "Yoga Mat", "Backpack", "Bike Light", "Water Bottle"],
        ("color", "size", "weight_kg"),
    ),
    (
        "books",
        0.13,
        14.0,
        ["fiction", "non-fiction", "children", "cooking", "travel"],
        ["Penwood Press", "Editions Claire", "Atlas Verlag"],
        ["Novel", "Cookbook", "Guide", "Atlas", "Picture Book"],
        ("weight_kg",),
    ),
    (
        "toys",
        0.09,
        24.0,
        ["puzzles", "building", "dolls", "games", "outdoor toys"],
        ["Blokko", "Tiny Tales", "Fun&Co"],
        ["Puzzle", "Building Set", "Board Game", "Plush Bear", "Kite"],
        ("color", "weight_kg"),
    ),
    (
        "grocery",
        0.09,
        6.5,
        ["coffee", "tea", "snacks", "pantry", "drinks"],
        ["Bergkaffee", "Olivar", "Nutrio"],
        ["Coffee Beans", "Green Tea", "Olive Oil", "Granola", "Dark Chocolate"],
        ("weight_kg",),
    ),
]
ADJECTIVES: list[str] = [
    "Classic",
    "Essential",
    "Pro",
    "Compact",
    "Premium",
    "Eco",
    "Everyday",
    "Deluxe",
    "Mini",
    "Max",
]
COLORS: list[str] = ["black", "white", "grey", "navy", "red", "green", "beige", "blue", "pink"]
SIZES: list[str] = ["XS", "S", "M", "L", "XL", "38", "40", "42", "44", "50 ml", "100 ml"]

# Web sessions: device mix on weekdays and weekends (weekends are more mobile).
DEVICES: list[str] = ["desktop", "mobile", "tablet"]
DEVICE_WEIGHTS_WEEKDAY: list[float] = [0.46, 0.44, 0.10]
DEVICE_WEIGHTS_WEEKEND: list[float] = [0.33, 0.55, 0.12]
# Converting sessions: P(device | converted) is proportional to P(device) * relative conversion.
DEVICE_CONVERSION: list[float] = [1.35, 0.80, 1.05]

OS_NAMES: list[str] = ["Windows", "macOS", "Linux", "ChromeOS", "Android", "iOS", "iPadOS"]
OS_BY_DEVICE: list[list[float]] = [
    [0.62, 0.28, 0.06, 0.04, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.58, 0.42, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.35, 0.0, 0.65],
]
BROWSERS: list[str] = ["Chrome", "Safari", "Firefox", "Edge", "Samsung Internet"]
BROWSER_BY_OS: list[list[float]] = [
    [0.62, 0.0, 0.12, 0.26, 0.0],
    [0.38, 0.55, 0.07, 0.0, 0.0],
    [0.55, 0.0, 0.45, 0.0, 0.0],
    [1.0, 0.0, 0.0, 0.0, 0.0],
    [0.72, 0.0, 0.05, 0.0, 0.23],
    [0.18, 0.82, 0.0, 0.0, 0.0],
    [0.12, 0.88, 0.0, 0.0, 0.0],
]
# User agents of API calls, by operating system (the shop's app or a browser).
USER_AGENTS_BY_OS: list[list[str]] = [
    ["Mozilla/5.0 (Windows NT 10.0) Chrome/129.0", "Mozilla/5.0 (Windows NT 10.0) Firefox/131.0"],
    ["Mozilla/5.0 (Macintosh) Safari/605.1.15"],
    ["Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0"],
    ["Mozilla/5.0 (X11; CrOS) Chrome/129.0"],
    ["ShopApp/5.12.0 (Android 14)", "Mozilla/5.0 (Linux; Android 14) Chrome/129.0"],
    ["ShopApp/5.12.0 (iOS 18.0)", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari"],
    ["ShopApp/5.12.0 (iPadOS 18.0)"],
]
BOT_USER_AGENTS: list[str] = [
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
    "bingbot/2.0 (+http://www.bing.com/bingbot.htm)",
    "PriceCompareCrawler/3.4",
]

TRAFFIC_SOURCES: list[str] = ["organic", "paid_search", "social", "email", "direct", "referral"]
TRAFFIC_WEIGHTS: list[float] = [0.34, 0.19, 0.13, 0.07, 0.21, 0.06]
TRAFFIC_CONVERSION: list[float] = [1.0, 1.15, 0.55, 1.9, 1.3, 0.9]
# Campaign names per traffic source (None: the source carries no campaign).
CAMPAIGNS: list[list[str | None]] = [
    [None],
    ["gs_brand", "gs_generic_fashion", "gs_generic_electronics", "gs_shopping_feed"],
    ["ig_autumn_2026", "tt_creators_q3", "fb_retargeting", None],
    ["nl_weekly", "nl_back_to_school", "nl_autumn_sale", "abandoned_cart"],
    [None],
    [None, "partner_blog", "coupon_site"],
]

# Visitors: share of sessions by signed-up users, and by people signing up in the session.
RETURNING_SHARE = 0.40
SIGNUP_SHARE = 0.045
# Share of sign-up sessions that also order (a first order).
SIGNUP_CONVERSION = 0.18
# Landing page kinds: home, product, category, search, sale.
LANDING_WEIGHTS: list[float] = [0.30, 0.40, 0.20, 0.05, 0.05]

# Sessions per UTC hour (a European shop: quiet nights, evening peak).
HOURLY_WEIGHTS: list[float] = [
    1.2,
    0.7,
    0.45,
    0.35,
    0.4,
    0.7,
    1.4,
    2.6,
    3.6,
    4.2,
    4.5,
    4.8,
    5.0,
    5.0,
    4.8,
    4.7,
    4.9,
    5.4,
    6.2,
    7.0,
    7.2,
    6.4,
    4.6,
    2.6,
]
# Sessions by weekday (Monday first): the weekly seasonality the anomaly detector must respect.
WEEKDAY_FACTORS: list[float] = [1.04, 1.00, 0.98, 0.97, 0.92, 0.86, 1.10]

# Orders.
PAYMENT_METHODS: list[str] = ["card", "paypal", "bank_transfer", "gift_card"]
PAYMENT_WEIGHTS: list[float] = [0.55, 0.28, 0.10, 0.07]
# Lines per order (1..5) and quantity per line (1..5).
LINES_WEIGHTS: list[float] = [0.45, 0.27, 0.15, 0.08, 0.05]
QUANTITY_WEIGHTS: list[float] = [0.78, 0.15, 0.04, 0.02, 0.01]
# code, discount, share of orders
COUPONS: list[tuple[str, float, float]] = [
    ("AUTUMN15", 0.15, 0.05),
    ("VIP20", 0.20, 0.02),
    ("FREESHIP", 0.0, 0.03),
]
WELCOME_COUPON = ("WELCOME10", 0.10)
# Shipping fee in each currency below the free-shipping value (EUR).
SHIPPING_FEES: dict[str, float] = {"EUR": 4.99, "USD": 5.49, "GBP": 3.99}
FREE_SHIPPING_FROM_EUR = 49.0

# API endpoints: service, method, path template, share of calls, median latency ms,
# median response bytes.
ENDPOINTS: list[tuple[str, str, str, float, float, int]] = [
    ("catalog", "GET", "/api/v1/products/{id}", 0.26, 38.0, 6200),
    ("catalog", "GET", "/api/v1/products", 0.10, 65.0, 24000),
    ("catalog", "GET", "/api/v1/categories/{slug}", 0.08, 55.0, 18000),
    ("search", "GET", "/api/v1/search", 0.13, 120.0, 21000),
    ("search", "GET", "/api/v1/search/suggest", 0.08, 28.0, 1400),
    ("cart", "GET", "/api/v1/cart", 0.08, 24.0, 2100),
    ("cart", "POST", "/api/v1/cart/items", 0.05, 45.0, 900),
    ("cart", "PATCH", "/api/v1/cart/items/{id}", 0.015, 40.0, 850),
    ("cart", "DELETE", "/api/v1/cart/items/{id}", 0.01, 30.0, 0),
    ("checkout", "POST", "/api/v1/checkout", 0.012, 180.0, 1600),
    ("checkout", "PUT", "/api/v1/checkout/{id}/address", 0.008, 90.0, 700),
    ("payments", "POST", "/api/v1/payments", 0.008, 420.0, 600),
    ("payments", "GET", "/api/v1/payments/{id}", 0.007, 60.0, 500),
    ("auth", "POST", "/api/v1/auth/login", 0.04, 150.0, 450),
    ("auth", "POST", "/api/v1/auth/refresh", 0.06, 22.0, 380),
    ("auth", "POST", "/api/v1/auth/logout", 0.01, 18.0, 0),
    ("auth", "GET", "/api/v1/users/me", 0.04, 26.0, 1100),
]
# Endpoints (1-based, in ENDPOINTS) every converting session calls: add to cart, checkout, pay.
CHECKOUT_ENDPOINTS: list[int] = [7, 10, 12]
# Endpoints answering 201 Created: add to cart, pay.
CREATED_ENDPOINTS: list[int] = [7, 12]
# Endpoints crawlers call.
BOT_ENDPOINTS: list[int] = [1, 2, 3, 4]
CLIENT_ERROR_RATE = 0.03
SERVER_ERROR_RATE = 0.006
CLIENT_ERROR_CODES: list[int] = [400, 401, 403, 404, 404, 404, 409, 422, 429]
SERVER_ERROR_CODES: list[int] = [500, 500, 502, 503, 503, 504]
# Share of slow outliers (a heavy tail on top of the log-normal body) and their factor range.
LATENCY_SIGMA = 0.5
LATENCY_TAIL_SHARE = 0.02
