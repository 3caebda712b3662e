"""QTI 2.1 export: an IMS content package (a zip) that Canvas and other QTI platforms import.

Each statement is an assessmentItem with a Myth/Fact choiceInteraction; response processing
scores it and shows feedback: "Right" or "Not quite", and always the explanation with its
sources (see interchange), rendered to HTML. An assessmentTest puts the items in the bank's
order, with its shuffle and draw settings. The imsmanifest.xml lists the test and every item.

QTI 3.0 renames every element and attribute (qti-assessment-item, ...) and packages
differently, so it is not written from this code.
"""

import io
import zipfile
from xml.etree import ElementTree as ET

from . import interchange
from .library import Bank, Library
from .markdown import render
from .schema import Question

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MANIFEST = "imsmanifest.xml"
TEST = "assessmentTest.xml"
CHOICES = (("MYTH", "Myth", "myth"), ("FACT", "Fact", "fact"))
GENERAL = "GENERAL_FEEDBACK"  # Canvas reads a modal feedback named general_… as its general one
_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}  # those of QTI's XHTML subset kept
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the same bank makes the same bytes


def export(bank: Bank, library: Library, public_url: str) -> bytes:
    files = {item_path(q.id): _item(q, library, public_url) for q in bank.questions}
    files[TEST] = _test(bank)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, element in [(MANIFEST, _manifest(bank)), *files.items()]:
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, ET.tostring(element, encoding="UTF-8", xml_declaration=True))
    return out.getvalue()


def identifier(question_id: str) -> str:
    """A question id as a QTI identifier (an XML name: a slug may start with a digit, and no
    slug starts with an underscore)."""
    return question_id if question_id[0].isalpha() else f"_{question_id}"


def item_path(question_id: str) -> str:
    return f"items/{question_id}.xml"


def _document(tag: str, namespace: str, schema: str, **attributes: str) -> ET.Element:
    # plain names: ElementTree writes them as they are, every element in the default namespace
    return ET.Element(
        tag,
        {"xmlns": namespace, "xmlns:xsi": XSI, "xsi:schemaLocation": f"{namespace} {schema}"},
        **attributes,
    )


def _item(question: Question, library: Library, public_url: str) -> ET.Element:
    item = _document(
        "assessmentItem",
        QTI,
        QTI_XSD,
        identifier=identifier(question.id),
        title=question.id,
        adaptive="false",
        timeDependent="false",
    )
    response = ET.SubElement(
        item, "responseDeclaration", identifier="RESPONSE", cardinality="single"
    )
    response.set("baseType", "identifier")
    correct = next(choice for choice, _, verdict in CHOICES if verdict == question.answer)
    ET.SubElement(ET.SubElement(response, "correctResponse"), "value").text = correct
    score = _outcome(item, "SCORE", "single", "float")
    ET.SubElement(ET.SubElement(score, "defaultValue"), "value").text = "0"
    _outcome(item, "FEEDBACK", "multiple", "identifier")

    body = ET.SubElement(item, "itemBody")
    ET.SubElement(body, "p").text = question.statement
    interaction = ET.SubElement(
        body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false", maxChoices="1"
    )
    for choice, label, _ in CHOICES:
        ET.SubElement(interaction, "simpleChoice", identifier=choice).text = label

    condition = ET.SubElement(ET.SubElement(item, "responseProcessing"), "responseCondition")
    right = ET.SubElement(condition, "responseIf")
    match = ET.SubElement(right, "match")
    ET.SubElement(match, "variable", identifier="RESPONSE")
    ET.SubElement(match, "correct", identifier="RESPONSE")
    _set_outcomes(right, "1", "CORRECT")
    _set_outcomes(ET.SubElement(condition, "responseElse"), "0", "INCORRECT")

    for name, verdict in (("CORRECT", "Right"), ("INCORRECT", "Not quite")):
        _feedback(item, name).append(_paragraph(f"{verdict}: it is a {question.answer}."))
    _feedback(item, GENERAL).extend(_html(interchange.feedback(question, library, public_url)))
    return item


def _outcome(parent: ET.Element, name: str, cardinality: str, base_type: str) -> ET.Element:
    outcome = ET.SubElement(parent, "outcomeDeclaration", identifier=name)
    outcome.set("cardinality", cardinality)
    outcome.set("baseType", base_type)
    return outcome


def _set_outcomes(branch: ET.Element, score: str, verdict: str) -> None:
    """SCORE, and FEEDBACK naming the verdict's feedback and the general one."""
    value = ET.SubElement(branch, "setOutcomeValue", identifier="SCORE")
    ET.SubElement(value, "baseValue", baseType="float").text = score
    feedback = ET.SubElement(branch, "setOutcomeValue", identifier="FEEDBACK")
    shown = ET.SubElement(feedback, "multiple")
    for name in (verdict, GENERAL):
        ET.SubElement(shown, "baseValue", baseType="identifier").text = name


def _feedback(item: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(
        item, "modalFeedback", outcomeIdentifier="FEEDBACK", identifier=name, showHide="show"
    )


def _paragraph(text: str) -> ET.Element:
    paragraph = ET.Element("p")
    paragraph.text = text
    return paragraph


def _html(markdown: str) -> list[ET.Element]:
    """Markdown as QTI's XHTML: the app's rendering (well-formed, raw HTML escaped), with only
    the attributes QTI allows (a link's title, an ordered list's start and a code block's
    language class are left out)."""
    wrapper = ET.fromstring(f"<div>{render(markdown)}</div>")
    for element in wrapper.iter():
        kept = _ATTRIBUTES.get(element.tag, set())
        for name in [n for n in element.attrib if n not in kept]:
            del element.attrib[name]
    return list(wrapper)


def _test(bank: Bank) -> ET.Element:
    settings = bank.info.settings
    test = _document(
        "assessmentTest", QTI, QTI_XSD, identifier=identifier(bank.id), title=bank.title
    )
    _outcome(test, "SCORE", "single", "float")
    part = ET.SubElement(
        test,
        "testPart",
        identifier="PART",
        navigationMode="nonlinear",
        submissionMode="individual" if settings.feedback == "immediate" else "simultaneous",
    )
    section = ET.SubElement(
        part, "assessmentSection", identifier="SECTION", title=bank.title, visible="false"
    )
    if settings.draw:
        ET.SubElement(section, "selection", select=str(settings.draw))
    if settings.shuffle:
        ET.SubElement(section, "ordering", shuffle="true")
    for question in bank.questions:
        ET.SubElement(section, "assessmentItemRef", identifier=identifier(question.id)).set(
            "href", item_path(question.id)
        )
    total = ET.SubElement(
        ET.SubElement(test, "outcomeProcessing"), "setOutcomeValue", identifier="SCORE"
    )
    ET.SubElement(ET.SubElement(total, "sum"), "testVariables", variableIdentifier="SCORE")
    ET.indent(test)
    return test


def _manifest(bank: Bank) -> ET.Element:
    manifest = _document("manifest", CP, CP_XSD, identifier=f"MANIFEST-{bank.id}")
    manifest.append(
        ET.Comment(
            f" Exported from Myth or Fact: bank {bank.id}, {len(bank.questions)} statements. "
            f"{interchange.left_out(bank, carried=frozenset({'shuffle', 'draw', 'feedback'}))} "
        )
    )
    metadata = ET.SubElement(manifest, "metadata")
    ET.SubElement(metadata, "schema").text = "QTIv2.1 Package"
    ET.SubElement(metadata, "schemaversion").text = "1.0.0"
    ET.SubElement(manifest, "organizations")
    resources = ET.SubElement(manifest, "resources")
    test = ET.SubElement(
        resources, "resource", identifier="TEST", type="imsqti_test_xmlv2p1", href=TEST
    )
    ET.SubElement(test, "file", href=TEST)
    for question in bank.questions:
        ET.SubElement(test, "dependency", identifierref=f"ITEM-{question.id}")
    for question in bank.questions:
        path = item_path(question.id)
        item = ET.SubElement(
            resources,
            "resource",
            identifier=f"ITEM-{question.id}",
            type="imsqti_item_xmlv2p1",
            href=path,
        )
        ET.SubElement(item, "file", href=path)
    ET.indent(manifest)
    return manifest
