"""The payment batch of the spec's worked example (expenses-and-suppliers §11.6), as values and as XML."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tantieme.formats.pain001 import CreditTransferMessage, Party, PaymentInstruction, Transfer

PARIS = ZoneInfo("Europe/Paris")
DEBTOR = Party(name="SDC RÉSIDENCE LES TILLEULS", iban="FR7630006000011234567890189", bic="AGRIFRPP")
ROWS = [
    ("TNT-2026-F0001", "385.00", "PLOMBERIE DURAND", "FR2420041010071234567K02030", "PSSTFRPP",
     "FACT D-2026-118 DU 10/09/2026"),
    ("TNT-2026-F0002", "1980.00", "NET ÉCLAT SARL", "FR7630004008200001023456773", "BNPAFRPP",
     "FACT NE-2026-0917 DU 15/09/2026"),
    ("TNT-2026-F0003", "11000.00", "TOITURES DU RHÔNE SAS", "FR7610278073000002059130143", "",
     "FACT TR-26-0452 DU 18/09/2026 OP 2026-01"),
    ("TNT-2026-F0004", "2520.00", "ASCENSEURS DU SUD SAS", "FR7630003015200005012345643", "SOGEFRPP",
     "FACT ADS-2026-3310 DU 25/09/2026"),
]  # fmt: skip


def example_message(**changes: object) -> CreditTransferMessage:
    transfers = tuple(
        Transfer(end_to_end_id=e2e, amount=Decimal(amount), creditor=Party(name, iban, bic), remittance=text)
        for e2e, amount, name, iban, bic, text in ROWS
    )
    values: dict[str, object] = {
        "message_id": "TNT-SCT-20261012-0001",
        "created_at": datetime.datetime(2026, 10, 12, 10, 30, tzinfo=PARIS),
        "debtor": DEBTOR,
        "instructions": (
            PaymentInstruction(
                payment_info_id="TNT-SCT-20261012-0001-01",
                execution_date=datetime.date(2026, 10, 15),
                transfers=transfers,
            ),
        ),
    }
    values.update(changes)
    return CreditTransferMessage(**values)  # type: ignore[arg-type]


# §11.6 of the spec, verbatim (valid against pain.001.001.09.xsd there, and here).
SPEC_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">
 <CstmrCdtTrfInitn>
  <GrpHdr>
   <MsgId>TNT-SCT-20261012-0001</MsgId><CreDtTm>2026-10-12T10:30:00+02:00</CreDtTm>
   <NbOfTxs>4</NbOfTxs><CtrlSum>15885.00</CtrlSum>
   <InitgPty><Nm>SDC RESIDENCE LES TILLEULS</Nm></InitgPty>
  </GrpHdr>
  <PmtInf>
   <PmtInfId>TNT-SCT-20261012-0001-01</PmtInfId><PmtMtd>TRF</PmtMtd><BtchBookg>true</BtchBookg>
   <NbOfTxs>4</NbOfTxs><CtrlSum>15885.00</CtrlSum>
   <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>
   <ReqdExctnDt><Dt>2026-10-15</Dt></ReqdExctnDt>
   <Dbtr><Nm>SDC RESIDENCE LES TILLEULS</Nm></Dbtr>
   <DbtrAcct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></DbtrAcct>
   <DbtrAgt><FinInstnId><BICFI>AGRIFRPP</BICFI></FinInstnId></DbtrAgt>
   <ChrgBr>SLEV</ChrgBr>
   <CdtTrfTxInf>
    <PmtId><EndToEndId>TNT-2026-F0001</EndToEndId></PmtId><Amt><InstdAmt Ccy="EUR">385.00</InstdAmt></Amt>
    <CdtrAgt><FinInstnId><BICFI>PSSTFRPP</BICFI></FinInstnId></CdtrAgt><Cdtr><Nm>PLOMBERIE DURAND</Nm></Cdtr>
    <CdtrAcct><Id><IBAN>FR2420041010071234567K02030</IBAN></Id></CdtrAcct>
    <RmtInf><Ustrd>FACT D-2026-118 DU 10/09/2026</Ustrd></RmtInf>
   </CdtTrfTxInf>
   <CdtTrfTxInf>
    <PmtId><EndToEndId>TNT-2026-F0002</EndToEndId></PmtId><Amt><InstdAmt Ccy="EUR">1980.00</InstdAmt></Amt>
    <CdtrAgt><FinInstnId><BICFI>BNPAFRPP</BICFI></FinInstnId></CdtrAgt><Cdtr><Nm>NET ECLAT SARL</Nm></Cdtr>
    <CdtrAcct><Id><IBAN>FR7630004008200001023456773</IBAN></Id></CdtrAcct>
    <RmtInf><Ustrd>FACT NE-2026-0917 DU 15/09/2026</Ustrd></RmtInf>
   </CdtTrfTxInf>
   <CdtTrfTxInf>
    <PmtId><EndToEndId>TNT-2026-F0003</EndToEndId></PmtId><Amt><InstdAmt Ccy="EUR">11000.00</InstdAmt></Amt>
    <Cdtr><Nm>TOITURES DU RHONE SAS</Nm></Cdtr>
    <CdtrAcct><Id><IBAN>FR7610278073000002059130143</IBAN></Id></CdtrAcct>
    <RmtInf><Ustrd>FACT TR-26-0452 DU 18/09/2026 OP 2026-01</Ustrd></RmtInf>
   </CdtTrfTxInf>
   <CdtTrfTxInf>
    <PmtId><EndToEndId>TNT-2026-F0004</EndToEndId></PmtId><Amt><InstdAmt Ccy="EUR">2520.00</InstdAmt></Amt>
    <CdtrAgt><FinInstnId><BICFI>SOGEFRPP</BICFI></FinInstnId></CdtrAgt><Cdtr><Nm>ASCENSEURS DU SUD SAS</Nm></Cdtr>
    <CdtrAcct><Id><IBAN>FR7630003015200005012345643</IBAN></Id></CdtrAcct>
    <RmtInf><Ustrd>FACT ADS-2026-3310 DU 25/09/2026</Ustrd></RmtInf>
   </CdtTrfTxInf>
  </PmtInf>
 </CstmrCdtTrfInitn>
</Document>
"""
