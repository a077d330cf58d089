"""The OpenAPI 3.1 description of API v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from app.domain.commitments import Scenario
from app.domain.subjects import SubjectKind

ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "稳定的错误代码"},
        "message": {"type": "string", "description": "中文错误说明"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "字段名 -> 该字段的中文错误说明"},
    },
}


def openapi_spec() -> dict[str, Any]:
    text = {"type": "string"}
    err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "信用文书服务 API", "version": "1.0.0",
                 "description": "凌源市信用承诺书的出具与核验。错误统一为 {error, message, fields}。"},
        "paths": {
            "/api/v1/commitments": {"post": {
                "summary": "出具一份预填的信用承诺书（一式两份）",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/CommitmentRequest"}}}},
                "responses": {
                    "201": {"description": "已出具；Location 指向文书信息",
                            "headers": {"Location": {"schema": text}},
                            "content": {"application/json": {"schema": {
                                "$ref": "#/components/schemas/Issued"}}}},
                    "400": {"description": "字段错误或无法显示的字符", **err},
                    "429": {"description": "请求过于频繁", **err},
                }}},
            "/api/v1/documents/{number}": {"get": {
                "summary": "按编号查询已出具文书的公开信息（不含身份证号码）",
                "parameters": [{"name": "number", "in": "path", "required": True,
                                "schema": text}],
                "responses": {"200": {"description": "公开信息", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/PublicDocument"}}}},
                    "400": {"description": "编号格式或校验位错误", **err},
                    "404": {"description": "未找到", **err}}}},
            "/api/v1/verify": {"post": {
                "summary": "核验一个PDF文件：是否为本平台出具、盖章或公示的文件，签名是否有效",
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}}}}}},
                "responses": {
                    "200": {"description": "核验结论", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Verdict"}}}},
                    "400": {"description": "文件未通过上传检查（error 为检查代码，如 not_pdf、javascript）",
                            **err},
                    "413": {"description": "文件过大", **err}}}},
            "/verify/{number}": {"get": {
                "summary": "公开核验页面（HTML）",
                "parameters": [{"name": "number", "in": "path", "required": True,
                                "schema": text}],
                "responses": {"200": {"description": "核验页面"}}}},
            "/healthz": {"get": {"summary": "健康检查", "responses": {
                "200": {"description": "正常"}, "503": {"description": "异常"}}}},
        },
        "components": {"schemas": {
            "Error": ERROR,
            "CommitmentRequest": {
                "type": "object",
                "required": ["scenario", "subject_kind", "subject_name", "subject_code",
                             "matter", "receiving_unit"],
                "properties": {
                    "scenario": {"type": "string", "enum": [s.value for s in Scenario],
                                 "description": "承诺适用情形（政策五(一)）"},
                    "subject_kind": {"type": "string", "enum": [k.value for k in SubjectKind],
                                     "description": "承诺主体类型"},
                    "subject_name": {**text, "description": "主体名称或自然人姓名"},
                    "subject_code": {**text, "description": "统一社会信用代码，自然人为身份证号码"},
                    "legal_representative": {**text, "description": "法定代表人（负责人），单位必填"},
                    "matter": {**text, "description": "承诺事项"},
                    "receiving_unit": {**text, "description": "接受承诺单位"},
                }},
            "Issued": {"type": "object", "properties": {
                k: text for k in ("number", "verification_code", "sha256", "pdf_url",
                                  "docx_url", "verify_url")}},
            "Verdict": {"type": "object", "required": ["sha256", "match", "message"], "properties": {
                "sha256": text,
                "match": {"type": "string",
                          "enum": ["issued", "stamped", "public_copy", "modified", "unknown"],
                          "description": "issued 本平台出具；stamped 本平台盖章签名；"
                                         "public_copy 本站公示副本；modified 载有本站编号或签名但已被修改；"
                                         "unknown 非本平台文件"},
                "message": {"type": "string", "description": "中文结论"},
                "document_number": {"type": ["string", "null"]},
                "issued_document": {"type": ["string", "null"]},
                "stamped_by_platform": {"type": "boolean"},
                "public_copy": {"type": ["object", "null"], "description": "公示副本的状态：status, "
                                "status_label（公示中/已更新/已撤销），公示中时另有 filing_id"},
                "signatures": {"type": "array", "items": {"type": "object"}}}},
            "PublicDocument": {"type": "object", "properties": {
                k: text for k in ("number", "document_type", "subject_kind", "subject_name",
                                  "subject_code", "scenario", "receiving_unit", "issued_on",
                                  "status", "sha256", "template_version", "verify_url")}},
        }},
    }
