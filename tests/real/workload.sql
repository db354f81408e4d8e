-- workload.sql - sqlite3 (Debian riscv64, dynamically linked) on a database file in the
-- scratch folder: schema, a recursive CTE to fill tables, indexes, joins, aggregates,
-- window functions, transactions, floats and text functions. Output compared with qemu.
.headers on
.mode list
PRAGMA journal_mode = WAL;
CREATE TABLE city(id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT, pop INTEGER);
CREATE TABLE visit(id INTEGER PRIMARY KEY, city_id INTEGER REFERENCES city(id),
                   day INTEGER, spent REAL);
INSERT INTO city(name, country, pop) VALUES
    ('Lisbon', 'PT', 545000), ('Porto', 'PT', 232000), ('Madrid', 'ES', 3300000),
    ('Seville', 'ES', 685000), ('Lyon', 'FR', 522000), ('Paris', 'FR', 2100000),
    ('Nantes', 'FR', 320000), ('Bilbao', 'ES', 346000);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)
INSERT INTO visit(city_id, day, spent)
    SELECT (i * 7) % 8 + 1, i % 365, ((i * 7919) % 10007) / 100.0 FROM n;
COMMIT;
CREATE INDEX visit_city ON visit(city_id);
SELECT count(*) AS visits, round(sum(spent), 2) AS total, round(avg(spent), 4) AS mean,
       min(spent), max(spent) FROM visit;
SELECT c.country, count(*) AS n, round(sum(v.spent), 2) AS spent
    FROM visit v JOIN city c ON c.id = v.city_id
    GROUP BY c.country ORDER BY spent DESC;
SELECT name, pop, rank() OVER (PARTITION BY country ORDER BY pop DESC) AS r
    FROM city ORDER BY country, r;
SELECT name, printf('%.3f', pop / 1e6) AS millions, upper(substr(name, 1, 3)) AS abbr,
       length(name), replace(name, 'o', '0'), instr(name, 'a')
    FROM city WHERE pop > 400000 ORDER BY pop;
SELECT day, count(*) FROM visit WHERE day BETWEEN 100 AND 104 GROUP BY day ORDER BY day;
SELECT city_id, sum(spent) > 3600 AS big FROM visit GROUP BY city_id HAVING count(*) > 700
    ORDER BY city_id;
UPDATE city SET pop = pop + 1000 WHERE country = 'PT';
DELETE FROM visit WHERE day > 300;
SELECT changes(), total_changes() > 0, (SELECT count(*) FROM visit);
SELECT group_concat(name, '/') FROM (SELECT name FROM city ORDER BY name);
SELECT 1e308 * 10, -0.0, 0.1 + 0.2, 7 / 2, 7 % 3, 7.0 / 2, cast('12abc' AS INTEGER),
       typeof(1), typeof(1.5), typeof('x'), typeof(NULL), typeof(x'00');
SELECT hex(zeroblob(4)), quote('it''s'), coalesce(NULL, 'dflt'), nullif(3, 3), iif(1, 'y', 'n');
SELECT json_object('a', 1, 'b', json_array(1, 2.5, 'x')), json_extract('{"k":[5,6]}', '$.k[1]');
SELECT date('2000-01-01', '+45 days'), strftime('%Y-%j', '2024-03-01'), julianday('2000-01-01');
SELECT sqlite_version() IS NOT NULL AS has_version;
PRAGMA integrity_check;
.mode column
SELECT id, name FROM city WHERE id <= 3;
.quit
