-- Legacy web shop database (schema legacy_shop): categories, products, customers, orders, their lines
-- and payments. Deterministic: rebuilding it always yields the same rows.
DROP SCHEMA IF EXISTS legacy_shop CASCADE;
CREATE SCHEMA legacy_shop;

CREATE TABLE legacy_shop.categories (
  cat_id integer PRIMARY KEY,
  cat_name varchar(40) NOT NULL
);

CREATE TABLE legacy_shop.products (
  prod_id integer PRIMARY KEY,
  sku varchar(16) NOT NULL UNIQUE,
  prod_name varchar(80) NOT NULL,
  cat_id integer NOT NULL REFERENCES legacy_shop.categories (cat_id),
  list_price_cents integer NOT NULL,
  discontinued char(1) NOT NULL DEFAULT 'N'
);

CREATE TABLE legacy_shop.customers (
  cust_id integer PRIMARY KEY,
  cust_name varchar(80) NOT NULL,
  email varchar(120) NOT NULL,
  country_cd varchar(2),
  created_on date NOT NULL
);

-- order_dt is the shop's local time (Berlin) without a zone. status: N = new, P = paid,
-- S = shipped, C = cancelled.
CREATE TABLE legacy_shop.orders (
  order_id integer PRIMARY KEY,
  order_no varchar(12) NOT NULL UNIQUE,
  cust_id integer NOT NULL REFERENCES legacy_shop.customers (cust_id),
  order_dt timestamp NOT NULL,
  status char(1) NOT NULL
);

-- A line with qty 0 was removed from the basket before checkout; the old shop kept it.
CREATE TABLE legacy_shop.order_lines (
  order_id integer NOT NULL REFERENCES legacy_shop.orders (order_id),
  line_no smallint NOT NULL,
  prod_id integer NOT NULL REFERENCES legacy_shop.products (prod_id),
  qty integer NOT NULL,
  unit_price_cents integer NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

-- Payments were booked against the printed order number, with no foreign key.
CREATE TABLE legacy_shop.payments (
  pay_id integer PRIMARY KEY,
  order_no varchar(12) NOT NULL,
  amt_cents integer NOT NULL,
  pay_method varchar(2) NOT NULL,
  paid_ts timestamp NOT NULL
);

INSERT INTO legacy_shop.categories (cat_id, cat_name) VALUES
  (1, 'Coffee'),
  (2, 'Tea'),
  (3, 'Brewing gear'),
  (4, 'Mugs & cups'),
  (5, 'Gift cards');

INSERT INTO legacy_shop.products (prod_id, sku, prod_name, cat_id, list_price_cents, discontinued) VALUES
  (1, 'CF-ETH-250', 'Ethiopia Yirgacheffe, 250 g', 1, 1290, 'N'),
  (2, 'CF-COL-250', 'Colombia Huila, 250 g', 1, 1150, 'N'),
  (3, 'CF-ESP-1000', 'House espresso blend, 1 kg', 1, 3490, 'N'),
  (4, 'CF-DEC-250', 'Swiss water decaf, 250 g', 1, 1240, 'Y'),
  (5, 'TE-SEN-100', 'Sencha, 100 g', 2, 890, 'N'),
  (6, 'TE-ASS-250', 'Assam breakfast, 250 g', 2, 1090, 'N'),
  (7, 'TE-ROO-100', 'Rooibos vanilla, 100 g', 2, 750, 'N'),
  (8, 'BG-V60-02', 'Pour-over dripper, size 02', 3, 2490, 'N'),
  (9, 'BG-GRD-HND', 'Hand grinder, steel burrs', 3, 8900, 'N'),
  (10, 'BG-KTL-GN', 'Gooseneck kettle, 1 l', 3, 5490, 'N'),
  (11, 'BG-FLT-100', 'Paper filters, 100 pieces', 3, 590, 'N'),
  (12, 'MG-STN-300', 'Stoneware mug, 300 ml', 4, 1800, 'N'),
  (13, 'MG-GLS-DBL', 'Double-walled glasses, pair', 4, 2290, 'Y'),
  (14, 'GC-025', 'Gift card, 25 EUR', 5, 2500, 'N'),
  (15, 'GC-050', 'Gift card, 50 EUR', 5, 5000, 'N');

INSERT INTO legacy_shop.customers (cust_id, cust_name, email, country_cd, created_on)
SELECT
  g,
  (ARRAY['Anna', 'Bernd', 'Camille', 'Dario', 'Elif', 'Finn', 'Greta', 'Hugo', 'Ida', 'Jonas'])[1 + g % 10]
    || ' ' ||
  (ARRAY['Schneider', 'Martin', 'Bianchi', 'Yilmaz', 'Nowak', 'Larsen', 'Dupont'])[1 + g % 7],
  -- The old sign-up form stored e-mail addresses as typed.
  CASE WHEN g % 5 = 0 THEN ' ' ELSE '' END
    || (ARRAY['Anna', 'Bernd', 'Camille', 'Dario', 'Elif', 'Finn', 'Greta', 'Hugo', 'Ida', 'Jonas'])[1 + g % 10]
    || '.' || (ARRAY['Schneider', 'Martin', 'Bianchi', 'Yilmaz', 'Nowak', 'Larsen', 'Dupont'])[1 + g % 7]
    || '@' || (ARRAY['mail.example', 'post.example', 'web.example'])[1 + g % 3],
  CASE WHEN g % 9 = 0 THEN NULL ELSE (ARRAY['de', 'AT', 'fr', 'IT', 'dk', 'PL'])[1 + g % 6] END,
  date '2019-04-01' + g * 23
FROM generate_series(1, 30) AS g;

INSERT INTO legacy_shop.orders (order_id, order_no, cust_id, order_dt, status)
SELECT
  g,
  'SO-' || lpad((10400 + g)::text, 6, '0'),
  1 + (g * 7) % 30,
  timestamp '2023-01-02 09:00' + g * interval '17 hours 23 minutes',
  CASE WHEN g > 110 THEN 'N' WHEN g % 10 = 3 THEN 'C' WHEN g > 95 THEN 'P' ELSE 'S' END
FROM generate_series(1, 120) AS g;

-- One to four lines per order, at the list price of the day; every fourth line was removed again.
INSERT INTO legacy_shop.order_lines (order_id, line_no, prod_id, qty, unit_price_cents)
SELECT o.order_id, l, p.prod_id, CASE WHEN (o.order_id + l) % 4 = 0 THEN 0 ELSE 1 + (o.order_id * l) % 3 END,
       p.list_price_cents
FROM legacy_shop.orders AS o
CROSS JOIN LATERAL generate_series(1, 1 + o.order_id % 4) AS l
JOIN legacy_shop.products AS p ON p.prod_id = 1 + (o.order_id * 3 + l * 5) % 15;

-- Paid and shipped orders were paid in full, a day after they were placed.
INSERT INTO legacy_shop.payments (pay_id, order_no, amt_cents, pay_method, paid_ts)
SELECT row_number() OVER (ORDER BY o.order_id), o.order_no, t.total,
       (ARRAY['CC', 'PP', 'BT'])[1 + o.order_id % 3], o.order_dt + interval '1 day 2 hours'
FROM legacy_shop.orders AS o
JOIN (
  SELECT order_id, sum(qty * unit_price_cents)::integer AS total
  FROM legacy_shop.order_lines
  GROUP BY order_id
  HAVING sum(qty * unit_price_cents) > 0
) AS t ON t.order_id = o.order_id
WHERE o.status IN ('P', 'S');

ANALYZE legacy_shop.categories, legacy_shop.products, legacy_shop.customers, legacy_shop.orders,
  legacy_shop.order_lines, legacy_shop.payments;
