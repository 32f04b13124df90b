"""Sample sales data for the demo: a Colombian software and services catalogue, deals, next steps.

Like ``contacts.demo_data``, this is sample *data*, not interface text: written in Spanish and
not marked for translation.
"""

from __future__ import annotations

from contacts.models import Activity

# code, name, description, unit price, unit cost, tax %, licence term (months) or None
CATALOGUE = [
    (
        "ERP-LIC-12",
        "Licencia ERP anual",
        "ERP en la nube: contabilidad, inventarios, compras y ventas. Por usuario.",
        1_450_000,
        290_000,
        19,
        12,
    ),
    (
        "NOM-LIC-12",
        "Licencia Nómina electrónica anual",
        "Nómina electrónica ante la DIAN, hasta 50 empleados.",
        2_400_000,
        480_000,
        19,
        12,
    ),
    (
        "FE-LIC-12",
        "Licencia Facturación electrónica anual",
        "Facturación electrónica validada por la DIAN, 3.000 documentos al año.",
        980_000,
        210_000,
        19,
        12,
    ),
    (
        "CRM-LIC-12",
        "Licencia CRM anual",
        "CRM comercial y de servicio. Por usuario.",
        890_000,
        180_000,
        19,
        12,
    ),
    (
        "POS-LIC-12",
        "Licencia POS anual",
        "Punto de venta con inventario en línea. Por caja.",
        1_150_000,
        260_000,
        19,
        12,
    ),
    (
        "BI-LIC-12",
        "Licencia Inteligencia de negocios anual",
        "Tableros e informes gerenciales. Por usuario.",
        1_900_000,
        520_000,
        19,
        12,
    ),
    (
        "SOP-PREM-12",
        "Soporte premium 24/7 anual",
        "Mesa de ayuda 24/7, tiempo de respuesta de 2 horas.",
        9_600_000,
        5_300_000,
        19,
        12,
    ),
    (
        "CLD-HOST-12",
        "Alojamiento en la nube anual",
        "Servidor dedicado en la nube con copias de seguridad diarias.",
        7_200_000,
        4_100_000,
        0,
        12,
    ),
    (
        "SRV-IMPL-ERP",
        "Implementación ERP",
        "Parametrización, cargue de saldos y salida en vivo.",
        24_000_000,
        14_500_000,
        19,
        None,
    ),
    (
        "SRV-MIGR",
        "Migración de datos",
        "Migración desde el sistema anterior, con validación de saldos.",
        6_500_000,
        3_800_000,
        19,
        None,
    ),
    (
        "SRV-CAP-H",
        "Hora de capacitación",
        "Capacitación presencial o virtual a usuarios finales.",
        180_000,
        85_000,
        19,
        None,
    ),
    (
        "SRV-CONS-H",
        "Hora de consultoría funcional",
        "Consultor funcional senior.",
        260_000,
        120_000,
        19,
        None,
    ),
    (
        "SRV-DEV-H",
        "Hora de desarrollo a la medida",
        "Desarrollo de informes, integraciones y ajustes.",
        230_000,
        115_000,
        19,
        None,
    ),
    (
        "HW-SRV-01",
        "Servidor en rack",
        "Servidor 2U, 64 GB de RAM, 2 TB SSD, tres años de garantía.",
        32_000_000,
        25_500_000,
        19,
        None,
    ),
    (
        "HW-POS-01",
        "Terminal punto de venta",
        "Terminal táctil con impresora térmica y cajón monedero.",
        3_900_000,
        2_850_000,
        19,
        None,
    ),
    ("HW-LECT-01", "Lector de código de barras", "Lector inalámbrico 2D.", 420_000, 270_000, 19, None),
]
# Typical quantities per code prefix: (low, high)
QUANTITIES = {
    "ERP": (3, 60),
    "NOM": (1, 3),
    "FE": (1, 5),
    "CRM": (3, 40),
    "POS": (1, 20),
    "BI": (2, 15),
    "SOP": (1, 1),
    "CLD": (1, 3),
    "SRV-IMPL": (1, 1),
    "SRV-MIGR": (1, 1),
    "SRV": (10, 200),
    "HW": (1, 12),
}
# What an opportunity is about, with the products its quote would carry.
DEALS = [
    ("Implementación ERP", ["ERP-LIC-12", "SRV-IMPL-ERP", "SRV-MIGR", "SRV-CAP-H"]),
    ("Renovación licencias ERP", ["ERP-LIC-12", "SOP-PREM-12"]),
    ("Ampliación de usuarios ERP", ["ERP-LIC-12", "SRV-CAP-H"]),
    ("Nómina electrónica", ["NOM-LIC-12", "SRV-CONS-H"]),
    ("Facturación electrónica", ["FE-LIC-12", "SRV-CAP-H"]),
    ("CRM para la fuerza de ventas", ["CRM-LIC-12", "SRV-CONS-H", "SRV-CAP-H"]),
    ("Puntos de venta para tiendas", ["POS-LIC-12", "HW-POS-01", "HW-LECT-01"]),
    ("Tableros gerenciales", ["BI-LIC-12", "SRV-DEV-H"]),
    ("Migración a la nube", ["CLD-HOST-12", "SRV-MIGR", "SRV-CONS-H"]),
    ("Renovación de servidores", ["HW-SRV-01", "SRV-CONS-H"]),
    ("Integración con el banco", ["SRV-DEV-H", "SRV-CONS-H"]),
    ("Soporte premium", ["SOP-PREM-12"]),
]
DEAL_SUFFIXES = ["", "", "", " fase 2", " sede principal", " sucursales", " regional"]
NEXT_STEPS = [
    "Agendar demostración con el área financiera",
    "Enviar propuesta ajustada",
    "Llamar al gerente para resolver objeciones",
    "Visita técnica para levantar requerimientos",
    "Esperar aprobación de la junta directiva",
    "Confirmar presupuesto del próximo trimestre",
    "Reunión con el área de sistemas",
    "Enviar casos de éxito del sector",
    "",
]
VISITS = [
    (Activity.Kind.VISIT, "Visita comercial", 60, 120),
    (Activity.Kind.MEETING, "Reunión de levantamiento de requerimientos", 45, 180),
    (Activity.Kind.MEETING, "Demostración del producto", 60, 90),
    (Activity.Kind.CALL, "Llamada de seguimiento a la propuesta", 5, 25),
]
# How open opportunities spread over the open stages, first to last.
OPEN_WEIGHTS = [30, 25, 18, 15, 12]
TERMS = "Precios en pesos colombianos. Forma de pago: 50 % a la firma y 50 % a la entrega."
