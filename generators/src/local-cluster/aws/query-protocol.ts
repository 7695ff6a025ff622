/**
 * The AWS Query protocol, as the aws-sdk-go-v2 clients of the pinned Argo Rollouts speak it to
 * Elastic Load Balancing v2 (`service/elasticloadbalancingv2` v1.31.3) and CloudWatch
 * (`service/cloudwatch` v1.45.4): `POST /` with an `application/x-www-form-urlencoded` body
 * (`Action=...&Version=...`, lists as `Name.member.N`, structures as `Name.Field`), answered with
 * XML (`<ActionResponse xmlns=...><ActionResult>...</ActionResult><ResponseMetadata>`), errors as
 * `<ErrorResponse><Error><Type>Sender</Type><Code>...`. Both SDK versions use it: their
 * serializers set that content type (`serializers.go`), their deserializers read `<ActionResult>`.
 */
import { randomUUID } from 'node:crypto';

/** The form fields of a request body. */
export function parseQueryBody(body: string): Map<string, string> {
  return new Map(new URLSearchParams(body));
}

/** The members of the list `prefix` (`prefix.member.1`, `prefix.member.2`, ...), each as the key prefix of its fields. */
export function listMembers(params: ReadonlyMap<string, string>, prefix: string): string[] {
  const members: string[] = [];
  for (let index = 1; ; index++) {
    const key = `${prefix}.member.${index}`;
    if (!params.has(key) && ![...params.keys()].some((k) => k.startsWith(`${key}.`))) return members;
    members.push(key);
  }
}

/** A value of the response: text, a list (`<member>`s), or a structure. */
export type XmlValue = string | number | boolean | undefined | readonly XmlValue[] | { readonly [field: string]: XmlValue };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The XML of one value under `name`. */
export function xmlElement(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((item) => xmlElement('member', item)).join('')}</${name}>`;
  if (typeof value === 'object') return `<${name}>${Object.entries(value).map(([field, inner]) => xmlElement(field, inner as XmlValue)).join('')}</${name}>`;
  return `<${name}>${escape(String(value))}</${name}>`;
}

/** A successful answer of `action`. */
export function queryResponse(action: string, namespace: string, result: { readonly [field: string]: XmlValue }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespace}">${xmlElement(`${action}Result`, result)}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

/** An error answer (HTTP 400 for the caller's errors). */
export function queryError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type><Code>${escape(code)}</Code><Message>${escape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

/**
 * The service a SigV4 `Authorization` header signs for (`Credential=AKID/20261208/eu-west-1/monitoring/aws4_request`):
 * a request signed for another service reached the wrong endpoint.
 */
export function signedService(authorization: string | undefined): string | undefined {
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization ?? '')?.[1];
}
