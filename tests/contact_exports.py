"""Contact export files as the services write them, for the import tests."""

from __future__ import annotations

import base64

# LinkedIn's Connections.csv: a notes preamble (itself quoted, with commas) before the header,
# a company with a comma in quotes, a member with every field empty, and an email for one person.
LINKEDIN = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing.'
    " You will only see email addresses for connections who have allowed their connections to see or"
    ' download their email address using this setting https://www.linkedin.com/psettings/privacy/email."\r\n'
    "\r\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    'Maya,Lin,https://www.linkedin.com/in/mayalin,,"Green Grid, Inc.",Head of Product,14 Mar 2019\r\n'
    "Tomás,Ruiz,https://www.linkedin.com/in/tomas-ruiz-7b1a2,tomas@solarlab.io,SolarLab,"
    '"Founder, CEO",02 Nov 2024\r\n'
    ",,,,,,\r\n"
    "Ann,Okafor,https://www.linkedin.com/in/annokafor/,,Carbonwise,Recruiter,30 Jun 2021\r\n"
)

_PHOTO = base64.b64encode(bytes(range(256)) * 3).decode()


def _fold(line: str) -> str:
    """RFC 6350 folding: at most 75 octets a line, continuation lines start with a space."""
    parts = [line[:75]] + [" " + line[i : i + 74] for i in range(75, len(line), 74)]
    return "\r\n".join(parts)


# vCard 3.0 (Apple/Google) and 4.0: a folded NOTE and email, two and three emails, a base64 PHOTO
# folded over many lines, names with accents and non-Latin letters, a LinkedIn URL in URL or
# X-SOCIALPROFILE.
VCARDS = "\r\n".join(
    [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//Apple Inc.//iPhone OS 17.0//EN",
        "N:Ødegaard;Zoë;;;",
        "FN:Zoë Ødegaard",
        "ORG:Nordlys Energi AS;Research",
        "TITLE:Climate Scientist",
        "EMAIL;type=INTERNET;type=WORK;type=pref:zoe@nordlys.no",
        "EMAIL;type=INTERNET;type=HOME:zoe.odegaard@",
        " example.org",
        _fold("PHOTO;ENCODING=b;TYPE=JPEG:" + _PHOTO),
        _fold("NOTE:Met at the Oslo climate summit; promised to introduce me to their product team lead."),
        "item1.URL:https://www.linkedin.com/in/zoeodegaard",
        "END:VCARD",
        "BEGIN:VCARD",
        "VERSION:4.0",
        "FN:李小龍",
        "N:李;小龍;;;",
        "EMAIL;TYPE=work:xiaolong@dragon.example",
        "EMAIL;TYPE=home:xl@home.example",
        "EMAIL:xiaolong.li@alt.example",
        "ORG:Dragon Ventures",
        "PHOTO:data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "X-SOCIALPROFILE;TYPE=linkedin:https://linkedin.com/in/xiaolongli",
        "END:VCARD",
        "BEGIN:VCARD",
        "VERSION:3.0",
        "N:Lin;Maya;;;",
        "EMAIL:maya@greengrid.example",
        "ORG:Green Grid",
        "END:VCARD",
        "",
    ]
)

# Google Contacts' current CSV export (abridged to the columns that matter, in Google's order).
GOOGLE = (
    "First Name,Middle Name,Last Name,Nickname,File As,Organization Name,Organization Title,Notes,"
    "Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,"
    "Phone 1 - Value,Website 1 - Label,Website 1 - Value\n"
    "Priya,,Natarajan,,,Carbonwise,Product Lead,,* myContacts,* Work,priya@carbonwise.example,"
    "Home,priya.n@gmail.example ::: priya@old.example,Mobile,+44 7700 900123,Profile,"
    "https://www.linkedin.com/in/priyanatarajan\n"
    ",,,,,,,,* myContacts,,,,,Mobile,+44 7700 900999,,\n"
    "Björn,,Åkesson,,,,,,* myContacts,* Other,bjorn@akesson.example,,,,,,\n"
)

# Outlook's CSV export (the classic column order, abridged).
OUTLOOK = (
    "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,Business Phone,"
    "E-mail Address,E-mail Type,E-mail Display Name,E-mail 2 Address,E-mail 3 Address,Web Page\n"
    ",Daniel,J.,Weber,,Sunstack GmbH,,VP Engineering,+49 30 1234,daniel.weber@sunstack.example,SMTP,"
    '"Daniel Weber (daniel.weber@sunstack.example)",dan@weber.example,,\n'
    ",Grace,,Hopper,,Navy,,Rear Admiral,,/o=ExchangeLabs/ou=Exchange/cn=Recipients/cn=ghopper,EX,,"
    "grace@navy.example,,https://linkedin.com/in/gracehopper\n"
)
