"""Deep Linking 2.0: the teacher's choice goes back to the LMS as a signed content item, a
resource link to the quiz with a line item, so the LMS makes a graded column for it."""

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from sqlalchemy.orm import Session

from . import tool
from .models import Platform

SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
SCORE_MAXIMUM = 100  # grades are sent as a percentage (see outbox.enqueue)


class _Response(DeepLink):
    def get_message_jwt(self, resources):
        message = super().get_message_jwt(resources)
        data_claim = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
        if message.get(data_claim) is None:  # echoed only when the request had some
            del message[data_claim]
        return message


def settings(claims: dict) -> dict:
    found = claims.get(SETTINGS)
    return found if isinstance(found, dict) else {}


def return_url(claims: dict) -> str | None:
    return settings(claims).get("deep_link_return_url")


def response_jwt(
    db: Session, platform: Platform, claims: dict, *, bank, title: str, policy: str, url: str
) -> str:
    """The signed LtiDeepLinkingResponse with one ltiResourceLink for the chosen quiz."""
    line_item = (
        LineItem()
        .set_label(title)
        .set_score_maximum(SCORE_MAXIMUM)
        .set_resource_id(bank.id)
        .set_tag("quizapp")
    )
    resource = (
        DeepLinkResource()
        .set_url(url)
        .set_title(title)
        .set_lineitem(line_item)
        .set_custom_params({"quiz": bank.id, "policy": policy})
    )
    link = _Response(tool.registration(db, platform), claims[tool.DEPLOYMENT], settings(claims))
    return link.get_response_jwt([resource])
