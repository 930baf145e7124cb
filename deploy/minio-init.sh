#!/bin/sh
# One-shot (compose service `createbucket`): create the app's bucket and a user that may
# touch only that bucket, so the app never holds MinIO's root credentials. Safe to re-run.
# Runs in the minio/mc image, which has a shell and coreutils but no grep.
set -eu

mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing "local/$AWS_STORAGE_BUCKET_NAME"
# Nothing anonymous: originals carry GPS and time (the proof of visit); the app hands out
# signed URLs or streams files itself.
mc anonymous set none "local/$AWS_STORAGE_BUCKET_NAME"

policy=/tmp/touchpoint-app-policy.json
cat >"$policy" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      "Resource": ["arn:aws:s3:::$AWS_STORAGE_BUCKET_NAME"]
    },
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                 "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      "Resource": ["arn:aws:s3:::$AWS_STORAGE_BUCKET_NAME/*"]
    }
  ]
}
JSON
mc admin policy create local touchpoint-app "$policy"
mc admin user add local "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"
# attach fails when the policy is already attached (a re-run), so check the outcome instead.
mc admin policy attach local touchpoint-app --user "$AWS_ACCESS_KEY_ID" >/dev/null 2>&1 || true
case "$(mc admin user info local "$AWS_ACCESS_KEY_ID" --json)" in
  *touchpoint-app*) echo "bucket $AWS_STORAGE_BUCKET_NAME ready for $AWS_ACCESS_KEY_ID" ;;
  *) echo "policy touchpoint-app is not attached to $AWS_ACCESS_KEY_ID" >&2; exit 1 ;;
esac
