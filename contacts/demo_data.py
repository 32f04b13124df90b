"""Word lists for demo data: Colombian companies, people, places, activities.

Everything here is sample *data* (names, CIIU descriptions, subjects of calls), not interface
text, so it is written in Spanish and not marked for translation.
"""

from __future__ import annotations

# CIIU Rev. 4 A.C. codes with company-name prefixes that fit each activity.
# prefix: (word, gender) where gender is "f", "m", "fp" or "mp" to agree with adjectives.
ECONOMIC_ACTIVITIES: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "0111",
        "Cultivo de cereales (excepto arroz), legumbres y semillas oleaginosas",
        [("Agropecuaria", "f"), ("Agrícola", "f"), ("Cultivos", "mp")],
    ),
    (
        "1011",
        "Procesamiento y conservación de carne y productos cárnicos",
        [("Frigorífico", "m"), ("Cárnicos", "mp"), ("Alimentos", "mp")],
    ),
    (
        "1410",
        "Confección de prendas de vestir, excepto prendas de piel",
        [("Confecciones", "fp"), ("Textiles", "mp"), ("Moda", "f")],
    ),
    (
        "2100",
        "Fabricación de productos farmacéuticos, sustancias químicas medicinales y productos botánicos",
        [("Laboratorios", "mp"), ("Farmacéutica", "f")],
    ),
    (
        "4111",
        "Construcción de edificios residenciales",
        [("Constructora", "f"), ("Inversiones", "fp"), ("Urbanizadora", "f")],
    ),
    (
        "4631",
        "Comercio al por mayor de productos alimenticios",
        [("Distribuidora", "f"), ("Comercializadora", "f"), ("Importadora", "f")],
    ),
    (
        "4663",
        "Comercio al por mayor de materiales de construcción, artículos de ferretería y pinturas",
        [("Ferretería", "f"), ("Depósito", "m"), ("Materiales", "mp")],
    ),
    (
        "4711",
        "Comercio al por menor en establecimientos no especializados",
        [("Supermercado", "m"), ("Autoservicio", "m"), ("Almacenes", "mp")],
    ),
    (
        "4923",
        "Transporte de carga por carretera",
        [("Transportes", "mp"), ("Logística", "f"), ("Carga", "f")],
    ),
    (
        "5611",
        "Expendio a la mesa de comidas preparadas",
        [("Restaurante", "m"), ("Asadero", "m"), ("Gastronomía", "f")],
    ),
    (
        "6201",
        "Actividades de desarrollo de sistemas informáticos",
        [("Soluciones Tecnológicas", "fp"), ("Software", "m"), ("Sistemas", "mp")],
    ),
    (
        "6810",
        "Actividades inmobiliarias realizadas con bienes propios o arrendados",
        [("Inmobiliaria", "f"), ("Propiedades", "fp")],
    ),
    ("6910", "Actividades jurídicas", [("Abogados", "mp"), ("Consultoría Jurídica", "f")]),
    (
        "6920",
        "Actividades de contabilidad, teneduría de libros, auditoría financiera y asesoría tributaria",
        [("Contadores", "mp"), ("Asesorías Contables", "fp"), ("Auditores", "mp")],
    ),
    ("7020", "Actividades de consultoría de gestión", [("Consultores", "mp"), ("Gestión Empresarial", "f")]),
    (
        "8610",
        "Actividades de hospitales y clínicas, con internación",
        [("Clínica", "f"), ("Centro Médico", "m")],
    ),
    ("8544", "Educación de universidades", [("Corporación Educativa", "f"), ("Instituto", "m")]),
]

# Adjectives in four forms (f, m, fp, mp), so "Distribuidora Andina" and "Transportes Andinos".
ADJECTIVES = [
    ("Andina", "Andino", "Andinas", "Andinos"),
    ("Colombiana", "Colombiano", "Colombianas", "Colombianos"),
    ("Antioqueña", "Antioqueño", "Antioqueñas", "Antioqueños"),
    ("Caribeña", "Caribeño", "Caribeñas", "Caribeños"),
    ("Llanera", "Llanero", "Llaneras", "Llaneros"),
    ("Cafetera", "Cafetero", "Cafeteras", "Cafeteros"),
    ("Santandereana", "Santandereano", "Santandereanas", "Santandereanos"),
    ("Nacional", "Nacional", "Nacionales", "Nacionales"),
    ("Central", "Central", "Centrales", "Centrales"),
    ("Integral", "Integral", "Integrales", "Integrales"),
    ("Moderna", "Moderno", "Modernas", "Modernos"),
    ("Unida", "Unido", "Unidas", "Unidos"),
]
GENDER_INDEX = {"f": 0, "m": 1, "fp": 2, "mp": 3}

PLACES = [
    "del Caribe", "del Pacífico", "del Valle", "de la Sabana", "de los Andes", "Santa Fe", "El Dorado",
    "San José", "Montecarlo", "Altamira", "La Esperanza", "Santa Bárbara", "El Nogal", "La Ceiba",
    "Guadalupe", "del Orinoco", "del Magdalena", "de Occidente", "del Oriente", "del Sur", "del Norte",
    "La Candelaria", "Tequendama", "Sierra Nevada", "La Alameda", "San Fernando", "Los Cerros",
    "La Pradera", "El Rosal", "Santa Lucía", "Los Almendros", "El Retiro", "Villa del Río", "Las Palmas",
]  # fmt: skip

COMPANY_SUFFIXES = ["S.A.S."] * 7 + ["Ltda."] * 2 + ["S.A.", "S. en C.", "& Cía. S.A.S."]

BRAND_HEADS = [
    "Andi", "Cari", "Tecno", "Agro", "Ferre", "Multi", "Super", "Mega", "Eco", "Bio", "Inter",
    "Pro", "Nova", "Maxi", "Colo", "Sur", "Norte", "Fruti", "Medi", "Cons",
]  # fmt: skip
BRAND_TAILS = [
    "max", "sur", "mundo", "center", "plus", "log", "net", "andes", "red", "hogar", "market",
    "lab", "ya", "tec", "express", "ventas", "campo", "salud", "obra", "pack",
]  # fmt: skip

FEMALE_NAMES = [
    "María", "Luisa", "Ana", "Carolina", "Valentina", "Camila", "Daniela", "Laura", "Natalia", "Paula",
    "Juliana", "Andrea", "Sandra", "Diana", "Claudia", "Paola", "Catalina", "Mariana", "Sofía", "Isabella",
    "Gabriela", "Alejandra", "Marcela", "Liliana", "Adriana", "Patricia", "Gloria", "Martha", "Lina",
    "Ángela", "Viviana", "Yolanda", "Sara", "Manuela", "Luz Marina", "Fernanda", "Tatiana", "Lorena",
]  # fmt: skip
MALE_NAMES = [
    "Juan", "Carlos", "Andrés", "Santiago", "Sebastián", "Felipe", "Alejandro", "Diego", "Jorge", "Luis",
    "Camilo", "Mateo", "Nicolás", "Daniel", "David", "Julián", "Óscar", "Ricardo", "Fernando", "Hernán",
    "Javier", "Mauricio", "Álvaro", "Gustavo", "Jaime", "Édgar", "Iván", "Esteban", "Simón", "Tomás",
    "Germán", "Rodrigo", "Sergio", "Héctor", "Fabio", "Gonzalo", "Manuel", "José",
]  # fmt: skip
SURNAMES = [
    "Gómez", "Rodríguez", "González", "Martínez", "García", "López", "Hernández", "Sánchez", "Ramírez",
    "Pérez", "Díaz", "Moreno", "Muñoz", "Rojas", "Vargas", "Jiménez", "Castro", "Gutiérrez", "Ruiz",
    "Álvarez", "Ortiz", "Torres", "Suárez", "Romero", "Valencia", "Quintero", "Restrepo", "Ospina",
    "Cárdenas", "Mejía", "Zapata", "Castaño", "Arango", "Henao", "Giraldo", "Londoño", "Correa",
    "Salazar", "Montoya", "Betancur", "Osorio", "Cardona", "Pineda", "Ochoa", "Echeverri", "Uribe",
    "Escobar", "Bermúdez", "Navarro", "Vélez", "Franco", "Peña", "Cortés", "Parra", "Niño", "Acosta",
    "Barrera", "Camacho", "Duarte", "Sierra", "Villamizar", "Fonseca",
]  # fmt: skip

# City, phone area code (601 Bogotá ... 608), weight.
CITIES = [
    ("Bogotá", "601", 30), ("Medellín", "604", 15), ("Cali", "602", 10), ("Barranquilla", "605", 8),
    ("Bucaramanga", "607", 5), ("Cartagena", "605", 4), ("Cúcuta", "607", 3), ("Pereira", "606", 3),
    ("Manizales", "606", 2), ("Ibagué", "608", 2), ("Santa Marta", "605", 2), ("Villavicencio", "608", 2),
    ("Pasto", "602", 1), ("Neiva", "608", 1), ("Montería", "604", 1), ("Armenia", "606", 1),
    ("Tunja", "608", 1), ("Popayán", "602", 1), ("Sincelejo", "605", 1), ("Valledupar", "605", 1),
]  # fmt: skip
MOBILE_PREFIXES = ["300", "301", "302", "304", "305", "310", "311", "312", "313", "314", "315", "316",
                   "317", "318", "319", "320", "321", "322", "323", "350", "351"]  # fmt: skip
STREETS = ["Calle"] * 2 + ["Carrera"] * 2 + ["Avenida Calle", "Avenida Carrera", "Transversal", "Diagonal"]
ADDRESS_EXTRAS = ["", "", "", " Oficina 302", " Local 5", " Bodega 12", " Piso 4", " Torre B Oficina 1104"]
FREE_MAIL = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.es"]
COMPANY_MAILBOXES = ["info", "contacto", "ventas", "gerencia", "administracion", "compras"]

CONTACT_ROLES = [
    "Gerente comercial", "Jefe de compras", "Contador", "Directora financiera", "Asistente administrativa",
    "Coordinador de logística", "Gerente de operaciones", "Auxiliar contable", "Director de tecnología",
    "Jefe de mantenimiento",
]  # fmt: skip
LEGAL_REPRESENTATIVE_ROLE = "Representante legal"

TAGS = [
    "VIP", "Cliente recurrente", "Feria Expo 2025", "Referido", "Licitación pública", "Exportador",
    "Pago puntual", "Gran contribuyente", "Zona franca", "Régimen simple",
]  # fmt: skip

COMPANY_NOTES = [
    "Busca proveedor con entregas semanales en la ciudad.",
    "Interesados en ampliar la línea de productos el próximo semestre.",
    "Compran por licitación; pedir el pliego con anticipación.",
    "Pagan a 60 días; la gerente aprueba compras superiores a 20 millones.",
    "Expansión a dos sedes nuevas este año.",
    "Prefieren ser contactados por correo, no por teléfono.",
]

# kind: (subjects, outcomes, (min, max) duration in minutes or None)
ACTIVITY_KINDS: dict[str, tuple[list[str], list[str], tuple[int, int] | None]] = {
    "call": (
        ["Llamada de seguimiento", "Llamada para confirmar pedido", "Llamada de presentación",
         "Recordatorio de pago", "Llamada para agendar visita"],
        ["Contestó", "No contestó", "Volver a llamar", "Interesado", "No interesado", "Buzón de voz"],
        (2, 25),
    ),
    "visit": (
        ["Visita comercial", "Visita técnica", "Entrega de muestras", "Visita de posventa"],
        ["Solicitó cotización", "Pedido en estudio", "Cliente satisfecho", "Pidió descuento"],
        (30, 120),
    ),
    "meeting": (
        ["Reunión de presentación de portafolio", "Reunión de negociación", "Revisión trimestral de cuenta",
         "Reunión de cierre"],
        ["Propuesta aceptada", "Ajustar propuesta", "Decisión el próximo mes", "Sin acuerdo"],
        (30, 90),
    ),
    "email": (
        ["Envío de cotización", "Envío de catálogo", "Respuesta a solicitud de información",
         "Envío de factura y certificado"],
        ["Enviado", "Respondió", "Sin respuesta"],
        None,
    ),
    "note": (
        ["Cliente pide descuento por volumen", "Cambio de jefe de compras", "Prefiere entregas en la mañana",
         "Nota interna sobre crédito"],
        [""],
        None,
    ),
}  # fmt: skip
ACTIVITY_WEIGHTS = {"call": 45, "email": 20, "visit": 12, "meeting": 10, "note": 13}
ACTIVITY_NOTES = [
    "",
    "",
    "",
    "Quedó de revisar con el gerente y responder el viernes.",
    "Pidió precios con IVA incluido y plazo de entrega.",
    "Está comparando con otro proveedor.",
    "Mencionó un proyecto nuevo para el segundo semestre.",
]

TASK_TITLES = [
    "Llamar para confirmar la cotización",
    "Enviar propuesta comercial",
    "Agendar visita de seguimiento",
    "Pedir certificado de Cámara de Comercio",
    "Enviar catálogo actualizado",
    "Confirmar datos de facturación",
    "Revisar condiciones de crédito",
]
