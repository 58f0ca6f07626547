<?php
// PHP's curl extension against the test server (tests/real_scripts/php.rs):
// each request's result on a line or a few, the same on Starling's swap
// library as on Debian's libcurl. Usage: php requests.php BASE-URL FILE
$base = $argv[1];
$file = $argv[2];

function show($label, $value)
{
    echo $label, ": ", is_string($value) ? $value : json_encode($value), "\n";
}

// The infos a script reads, and which keys curl_getinfo() fills in (it
// leaves out any info the library does not answer).
function infos($h)
{
    $all = curl_getinfo($h);
    $keep = ["url", "content_type", "http_code", "header_size", "request_size",
        "filetime", "ssl_verify_result", "redirect_count", "size_upload",
        "size_download", "download_content_length", "upload_content_length",
        "redirect_url", "primary_ip", "primary_port", "certinfo", "http_version",
        "protocol", "ssl_verifyresult", "scheme", "effective_method"];
    show("  keys", implode(",", array_keys($all)));
    foreach ($keep as $k) {
        show("  $k", $all[$k] ?? "(missing)");
    }
}

$h = curl_init("$base/bytes/100000?seed=3");
curl_setopt($h, CURLOPT_RETURNTRANSFER, true);
$body = curl_exec($h);
show("GET", [strlen($body), md5($body), curl_errno($h)]);
infos($h);
curl_close($h);

$h = curl_init("$base/inspect");
curl_setopt_array($h, [CURLOPT_RETURNTRANSFER => true, CURLOPT_POSTFIELDS => "a=1&b=2"]);
show("POST string", curl_exec($h));
infos($h);
// The same handle again, a form now: multipart/form-data from an array,
// a file part (CURLFile) among the fields, echoed back whole (its random
// boundary is the only part the test takes out).
curl_setopt($h, CURLOPT_URL, "$base/echo");
curl_setopt($h, CURLOPT_POSTFIELDS, ["name" => "value", "n2" => "v2",
    "upload" => new CURLFile($file, "text/plain", "up.txt")]);
show("POST array", curl_exec($h));
infos($h);
curl_close($h);

$h = curl_init("$base/inspect");
$in = fopen($file, "rb");
curl_setopt_array($h, [CURLOPT_RETURNTRANSFER => true, CURLOPT_UPLOAD => true,
    CURLOPT_INFILE => $in, CURLOPT_INFILESIZE => filesize($file)]);
show("PUT from a file", curl_exec($h));
infos($h);
curl_close($h);
fclose($in);

$to = urlencode("/redirect/301?to=" . urlencode("/bytes/10"));
$h = curl_init("$base/redirect/302?to=$to");
$heads = [];
curl_setopt_array($h, [CURLOPT_RETURNTRANSFER => true, CURLOPT_FOLLOWLOCATION => true,
    CURLOPT_HEADERFUNCTION => function ($h, $line) use (&$heads) {
        // The server's date changes between the runs.
        $heads[] = stripos($line, "date:") === 0 ? "date: <now>" : rtrim($line);
        return strlen($line);
    }]);
show("redirects followed", bin2hex(curl_exec($h)));
show("  heads", $heads);
infos($h);
curl_setopt($h, CURLOPT_FOLLOWLOCATION, false);
show("redirect not followed", curl_exec($h));
infos($h);
curl_close($h);

$h = curl_init("$base/status/404");
curl_setopt_array($h, [CURLOPT_RETURNTRANSFER => true, CURLOPT_FAILONERROR => true]);
show("404 with FAILONERROR", [curl_exec($h), curl_errno($h), curl_error($h)]);
curl_close($h);

$h = curl_init("$base/bytes/5000");
$chunks = 0;
$got = 0;
curl_setopt($h, CURLOPT_WRITEFUNCTION, function ($h, $data) use (&$got) {
    $got += strlen($data);
    return strlen($data);
});
show("write callback", [curl_exec($h), $got]);
curl_close($h);

// Several handles at once on a multi handle, driven by curl_multi_exec and
// curl_multi_select, at most 30 seconds.
$m = curl_multi_init();
$handles = [];
for ($i = 0; $i < 8; $i++) {
    $handles[$i] = curl_init("$base/bytes/" . (20000 * $i + 1) . "?seed=$i");
    curl_setopt($handles[$i], CURLOPT_RETURNTRANSFER, true);
    curl_multi_add_handle($m, $handles[$i]);
}
$start = microtime(true);
do {
    $status = curl_multi_exec($m, $running);
    if ($running) {
        curl_multi_select($m, 1.0);
    }
} while ($running && $status == CURLM_OK && microtime(true) - $start < 30);
$done = [];
while ($msg = curl_multi_info_read($m)) {
    $done[array_search($msg["handle"], $handles, true)] = [$msg["msg"], $msg["result"]];
}
ksort($done);
show("multi", [$status, $running, $done]);
foreach ($handles as $i => $x) {
    $c = curl_multi_getcontent($x);
    show("  handle $i", [strlen($c), md5($c), curl_getinfo($x, CURLINFO_HTTP_CODE)]);
    curl_multi_remove_handle($m, $x);
    curl_close($x);
}
curl_multi_close($m);
